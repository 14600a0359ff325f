"""The query string as clients send it: ordered pairs, repeated keys, raw JSON values.

µTorrent's parameters are positional in places (setprops' hash/s/v, setsetting's s/v), so the
order of pairs is kept. Values may carry raw `{`, `"` and `:` (webui.cookie,
docs/reference/utorrent-clients.md#web-ui-cookie).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from utserver.settings.values import INT32_MAX, parse_number
from utserver.web.utorrent.errors import ApiError


class Query:
    def __init__(self, raw: str):
        # WSGI hands the query over as latin-1; clients send UTF-8, percent-encoded or raw.
        text = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        self.pairs: list[tuple[str, str]] = parse_qsl(text, keep_blank_values=True)

    def get(self, key: str, default: str | None = None) -> str | None:
        for name, value in self.pairs:
            if name == key:
                return value
        return default

    def first(self, *keys: str) -> str | None:
        """The value of the first of *keys* present (feed-id / feedid spellings)."""
        for key in keys:
            value = self.get(key)
            if value is not None:
                return value
        return None

    def all(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]

    def has(self, key: str) -> bool:
        return any(name == key for name, _ in self.pairs)

    def int(self, key: str, default: int) -> int:
        value = self.get(key)
        if value is None or value == "":
            return default
        try:
            return parse_number(value, -INT32_MAX - 1, INT32_MAX, key)
        except ValueError as exc:
            raise ApiError(str(exc)) from None

    def hashes(self) -> list[str]:
        """Every hash= value, upper-cased; an action that needs one fails without it."""
        hashes = [value.strip().upper() for value in self.all("hash") if value.strip()]
        if not hashes:
            raise ApiError("missing hash= parameter")
        return hashes

    def setting_pairs(self) -> list[tuple[str, str]]:
        """setsetting's s=NAME&v=VALUE pairs in order: each v= is the value of the s= before it."""
        pairs, name = [], None
        for key, value in self.pairs:
            if key == "s":
                if name is not None:
                    raise ApiError(f"setsetting: s={name} has no v= value")
                name = value
            elif key == "v" and name is not None:
                pairs.append((name, value))
                name = None
        if name is not None:
            raise ApiError(f"setsetting: s={name} has no v= value")
        return pairs

    def prop_changes(self) -> list[tuple[str, str, str]]:
        """setprops' (hash, key, value) in order: hash= picks the torrent, s= the key, v= applies it;
        s/v pairs sent before the first hash= apply to the hash that follows
        (docs/reference/utorrent-clients.md#setprops-order)."""
        changes: list[tuple[str, str, str]] = []
        pending: list[tuple[str, str]] = []
        current: str | None = None
        key: str | None = None
        for name, value in self.pairs:
            if name == "hash":
                current = value.strip().upper()
                changes += [(current, k, v) for k, v in pending]
                pending = []
            elif name == "s":
                key = value
            elif name == "v" and key is not None:
                if current is None:
                    pending.append((key, value))
                else:
                    changes.append((current, key, value))
        return changes

    def as_dict(self) -> dict[str, str]:
        """Last value wins; for actions whose parameters are plain names (rss-update...)."""
        return dict(self.pairs)
