"""The RSS actions, handed to the RSS manager (its ValueErrors become the action's error)."""

from __future__ import annotations

from utserver.settings.values import INT32_MAX, parse_number
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError


def _rss(call: Call):
    if call.parts.rss is None:
        raise ApiError("RSS is not available in this server")
    return call.parts.rss


def _ident(call: Call, *names: str) -> int:
    text = call.query.first(*names)
    try:
        return parse_number(text or "", -INT32_MAX - 1, INT32_MAX, names[0])
    except ValueError:
        raise ApiError(f"missing or bad {names[0]}= (a number)") from None


def update_feed(call: Call) -> Reply:
    return [("rss_ident", _rss(call).update_feed(call.query.as_dict()))]


def remove_feed(call: Call) -> Reply:
    _rss(call).remove_feed(_ident(call, "feed-id", "feedid"))
    return []


def update_filter(call: Call) -> Reply:
    return [("filter_ident", _rss(call).update_filter(call.query.as_dict()))]


def remove_filter(call: Call) -> Reply:
    _rss(call).remove_filter(_ident(call, "filter-id", "filterid"))
    return []
