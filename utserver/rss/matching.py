"""Which items of a feed to add now, and how: filters, subscription, history, smart episode filter.

An item already added (its URL is in the history) is never added again. The first enabled filter
(lowest id) that matches an item decides; with no match, a subscribed feed adds the item anyway.
The smart episode filter (a filter's, or a subscribed feed's smart-filter) never adds an episode of
a show twice, across all filters and feeds; a REPACK/PROPER of an episode added before is added once
more when the filter's REPACK EP FILTER says so (-1: the rss.smart_repack_filter setting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from utserver.fetch import split_cookie
from utserver.rss.feeds import Feed, Item
from utserver.rss.filters import REPACK_DEFAULT, Filter
from utserver.rss.store import RssState

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Pick:
    """An item to hand to the engine."""
    url: str  # what add_torrent gets (the feed's cookie appended to http links)
    item_url: str  # the history key
    filter_id: int | None  # None: added by the feed's subscription
    save_path: str | None
    label: str
    stopped: bool
    feed_url: str  # the feed, without its cookie
    episode_keys: tuple[str, ...]
    repack: bool
    queue_top: bool = False  # the filter's "prio": the torrent goes to the top of the queue


def episode_keys(item: Item) -> tuple[str, ...]:
    """The smart-filter history keys of the episodes an item holds ("show|season|episode")."""
    if item.episode <= 0:
        return ()
    show = _NOT_ALNUM.sub(" ", item.name.lower()).strip()
    last = max(item.episode, item.episode_to)
    return tuple(f"{show}|{item.season}|{e}" for e in range(item.episode, last + 1))


def picks(state: RssState, feed: Feed, *, smart_repack: bool, feed_as_label: bool) -> list[Pick]:
    """The items of *feed* to add now, in feed order."""
    filters = [state.filters[i] for i in sorted(state.filters)]
    claimed: set[str] = set()  # episodes picked earlier in this round
    result = []
    for item in feed.items:
        if item.url in state.history:
            continue
        chosen = next((f for f in filters if f.matches(item)), None)
        if chosen is None and not feed.subscribe:
            continue
        keys = episode_keys(item)
        smart = chosen.smart_ep if chosen else feed.smart_filter
        if smart and keys and not _wanted(state, item, keys, claimed, _repacks(chosen, smart_repack)):
            continue
        claimed.update(keys)
        result.append(_pick(feed, item, chosen, keys, feed_as_label))
    return result


def _wanted(state: RssState, item: Item, keys: tuple[str, ...], claimed: set[str], repacks: bool) -> bool:
    if claimed.intersection(keys):
        return False
    added = [state.episodes.get(key) for key in keys]
    if None in added:  # at least one episode not added yet
        return True
    return item.repack and repacks and not all(added)  # one repack over plain copies


def _repacks(chosen: Filter | None, setting: bool) -> bool:
    if chosen is None or chosen.repack_ep == REPACK_DEFAULT:
        return setting
    return bool(chosen.repack_ep)


def _pick(feed: Feed, item: Item, chosen: Filter | None, keys: tuple[str, ...], feed_as_label: bool) -> Pick:
    feed_url, cookie = split_cookie(feed.url)
    url = item.url
    if cookie and url.startswith(("http://", "https://")) and split_cookie(url)[1] is None:
        url = f"{url}:COOKIE:{cookie}"  # private feeds serve their .torrent files with the same cookie
    label = (chosen.label if chosen else "") or (feed.display_name if feed_as_label else "")
    return Pick(url, item.url, chosen.ident if chosen else None, (chosen.save_in if chosen else "") or None,
                label, bool(chosen and chosen.add_stopped), feed_url, keys, item.repack,
                bool(chosen and chosen.prio))
