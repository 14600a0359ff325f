"""sync/maindata and sync/torrentPeers: full replies and rid deltas, per login session.

The engine's snapshot is copy-on-write: an unchanged torrent keeps the very same TorrentView
object, so a torrent whose view `is` the one last sent costs nothing; a changed one sends only the
keys whose values changed (docs/reference/qbittorrent-clients.md §3.5). The client's rid must be
the last one sent to it; anything else gets a full update, as qBittorrent does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

RID_CYCLE = 1_000_000


@dataclass(frozen=True)
class Digest:
    """What sync/maindata reads of a whole snapshot, computed once per snapshot object (the engine
    replaces the snapshot when anything changes), so an unchanged poll of 10,000 torrents walks none."""

    snapshot: Mapping  # upper-case hash -> view; never changed once built
    uploaded: int
    downloaded: int
    connections: int
    labels: list  # (label, torrents), as Engine.labels()
    tags: list  # every tag a torrent has, in first-seen order


class DigestCache:
    def __init__(self) -> None:
        self._last: Digest | None = None

    def of(self, snapshot: Mapping) -> Digest:
        last = self._last
        if last is not None and last.snapshot is snapshot:
            return last
        views = list(snapshot.values())
        counts: dict[str, int] = {}
        tags: dict[str, None] = {}
        for view in views:
            if view.label:
                counts[view.label] = counts.get(view.label, 0) + 1
            tags.update(dict.fromkeys(view.tags))
        self._last = Digest(snapshot, sum(v.uploaded for v in views), sum(v.downloaded for v in views),
                            sum(v.peers_connected + v.seeds_connected for v in views), sorted(counts.items()),
                            list(tags))
        return self._last


class RawJson(str):
    """JSON text already encoded (cached rows), spliced into the reply as it is (routes.encode)."""


@dataclass
class SyncState:
    rid: int = 0
    views: Mapping = field(default_factory=dict)  # key -> the source object last sent (a reference only)
    sections: dict = field(default_factory=dict)  # section name -> the value last sent
    lock: threading.Lock = field(default_factory=threading.Lock)


def _changed_keys(old: dict, new: dict) -> dict:
    return {key: value for key, value in new.items() if old.get(key) != value}


def delta(state: SyncState, rid: int, objects: Mapping, render: Callable, sections: dict,
          collection: str, removed_name: str, render_text: Callable[[object], str] | None = None,
          kept: bool = False, reply_key: Callable[[str], str] = str) -> dict:
    """The reply for `rid`: objects (key -> source) rendered by `render(source) -> dict`;
    sections are the other keys (dicts delta per key, lists as additions plus removals).
    Only references to the sources are kept: a changed one is diffed against its old source
    rendered again, so a session's state costs a pointer per torrent, not a copy of its fields.
    A full reply uses render_text (the object's JSON, cached) when given; `kept` says that objects
    will never change, so the state keeps it without a copy. `reply_key` turns a key into the reply's
    (torrents: the lower-case hash), so the objects need no second mapping."""
    with state.lock:
        full = rid == 0 or rid != state.rid
        reply: dict = {}
        changed: dict = {}
        if full and render_text is not None and objects:
            reply[collection] = RawJson("{" + ",".join(f"{json.dumps(reply_key(key))}:{render_text(source)}"
                                                       for key, source in objects.items()) + "}")
        for key, source in ({} if collection in reply else objects).items():
            old = None if full else state.views.get(key)
            if old is source:
                continue
            rendered = render(source)
            diff = rendered if old is None else _changed_keys(render(old), rendered)
            if diff:
                changed[reply_key(key)] = diff
        if changed:
            reply[collection] = changed
        gone = [] if full else [reply_key(key) for key in state.views if key not in objects]
        if gone:
            reply[removed_name] = gone
        for name, value in sections.items():
            _section(reply, name, value, None if full else state.sections.get(name))
        state.rid = state.rid % RID_CYCLE + 1
        state.views = objects if kept else dict(objects)
        state.sections = dict(sections)
        reply["rid"] = state.rid
        if full:
            reply["full_update"] = True
        return reply


def _section(reply: dict, name: str, value, old) -> None:
    if isinstance(value, list):
        added = value if old is None else [item for item in value if item not in old]
        removed = [] if old is None else [item for item in old if item not in value]
        if added:
            reply[name] = added
        if removed:
            reply[f"{name}_removed"] = removed
    elif name == "server_state":  # a flat dict: the changed keys only
        diff = value if old is None else _changed_keys(old, value)
        if diff:
            reply[name] = diff
    else:  # a dict of entries (categories): changed entries, removed names
        diff = value if old is None else {key: item for key, item in value.items() if old.get(key) != item}
        if diff:
            reply[name] = diff
        removed = [] if old is None else [key for key in old if key not in value]
        if removed:
            reply[f"{name}_removed"] = removed
