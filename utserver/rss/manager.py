"""RssManager: the API's feeds and filters, one poller thread, and handing matches to the engine.

The poller sleeps on an Event until the next feed is due (rss.update_interval minutes after its
last attempt; a changed interval applies from each feed's next update) or until something asks for
work (rss-update&update=1, a new feed, a changed filter, stop()); with no enabled feed it sleeps
until woken. A failed fetch, a document that is not a feed,
or an item the engine refuses is logged and tried again at the next interval.
Network I/O and engine calls happen outside the lock, so API calls never wait for a slow feed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from utserver import logs
from utserver.fetch import FetchError, check_scheme, fetch, split_cookie
from utserver.rss import matching
from utserver.rss.feeds import (
    FEED_PARAMS,
    STATE_ERROR,
    STATE_IDLE,
    STATE_UPDATING,
    Feed,
    FeedError,
    is_feed_document,
    parse_feed,
)
from utserver.rss.filters import FILTER_PARAMS, Filter
from utserver.rss.params import parse_bool, parse_int, parse_params
from utserver.rss.store import RssStore

log = logging.getLogger("utserver.rss")

FETCH_TIMEOUT = 30.0  # seconds
MAX_FEED_BYTES = 8 * 1024 * 1024
STOP_WAIT = 2.0  # stop() waits this long for a fetch in flight; the thread is a daemon thread
ERROR_PAUSE = 60.0  # seconds the poller rests after an unexpected error
UPDATE_PARAM: dict[str, tuple[str, Callable[[str], object]]] = {"update": ("update", parse_bool)}


class SettingsView(Protocol):
    def get(self, name: str) -> Any: ...


def engine_options(**kwargs: Any) -> Any:
    from utserver.engine import AddOptions  # the one coupling to the engine, imported when first used
    return AddOptions(**kwargs)


class RssManager:
    def __init__(self, settings: SettingsView, state_dir: Path, add_torrent: Callable[[str, Any], str],
                 *, make_options: Callable[..., Any] = engine_options) -> None:
        self._settings = settings
        self._add_torrent = add_torrent
        self._make_options = make_options
        self._store = RssStore(state_dir)
        self._state = self._store.load()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stopping = False
        self._rematch = False  # filters changed: match the items already listed
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread:
            self._thread.join(STOP_WAIT)
            if self._thread.is_alive():
                log.warning("RSS: a feed fetch is still running at shutdown; not waiting for it")
        with self._lock:
            self._store.save(self._state)

    # --- listing ---------------------------------------------------------------------------
    def feed_rows(self) -> dict[int, list]:
        with self._lock:
            history = set(self._state.history)
            return {ident: feed.row(history) for ident, feed in self._state.feeds.items()}

    def filter_rows(self) -> dict[int, list]:
        with self._lock:
            return {ident: flt.row() for ident, flt in self._state.filters.items()}

    # --- actions ---------------------------------------------------------------------------
    def update_feed(self, params: Mapping[str, str]) -> int:
        """rss-update: add (feed-id missing or -1) or change a feed; update=1 fetches it now."""
        changes = parse_params(FEED_PARAMS, params, "rss-update")
        ident = _ident(params.get("feed-id", params.get("feedid", "-1")), "rss-update", "feed-id")
        force = parse_params(UPDATE_PARAM, params, "rss-update").get("update", False)
        if "url" in changes:
            changes["url"] = _checked_url(str(changes["url"]))
        with self._lock:
            if ident < 0:
                if "url" not in changes:
                    raise ValueError("rss-update: url= is required to add a feed")
                feed = Feed(self._state.next_feed_id, str(changes["url"]))
                self._state.feeds[feed.ident] = feed
                self._state.next_feed_id += 1
                force = True
            else:
                feed = self._feed(ident)
            if changes.get("url", feed.url) != feed.url:  # another feed: forget the old one's items
                feed.title, feed.etag, feed.last_modified, feed.items = "", "", "", []
                force = True
            force = force or (changes.get("enabled") is True and not feed.enabled)
            for attr, value in changes.items():
                setattr(feed, attr, value)
            if force and feed.enabled:
                feed.next_update, feed.state = 0, STATE_UPDATING
            self._store.save(self._state)
        self._wake.set()
        return feed.ident

    def remove_feed(self, ident: int) -> None:
        with self._lock:
            self._feed(ident)
            del self._state.feeds[ident]
            self._store.save(self._state)

    def update_filter(self, params: Mapping[str, str]) -> int:
        """filter-update: add (filter-id missing or -1) or change a filter."""
        changes = parse_params(FILTER_PARAMS, params, "filter-update")
        ident = _ident(params.get("filter-id", "-1"), "filter-update", "filter-id")
        with self._lock:
            feed_id = changes.get("feed_id", -1)
            if feed_id != -1 and feed_id not in self._state.feeds:
                raise ValueError(f"filter-update: no RSS feed with id {feed_id} (-1 means all feeds)")
            if ident < 0:
                flt = Filter(self._state.next_filter_id)
                self._state.filters[flt.ident] = flt
                self._state.next_filter_id += 1
            else:
                flt = self._filter(ident)
            for attr, value in changes.items():
                setattr(flt, attr, value)
            self._store.save(self._state)
            self._rematch = True
        self._wake.set()
        return flt.ident

    def remove_filter(self, ident: int) -> None:
        with self._lock:
            self._filter(ident)
            del self._state.filters[ident]
            self._store.save(self._state)

    def feed_url(self, ident: int) -> str:
        """The URL of a feed, without its cookie (add-file/add-url's feed-id=)."""
        with self._lock:
            return split_cookie(self._feed(ident).url)[0]

    def is_feed_url(self, url: str) -> bool:
        """add-unknown-url: does *url* serve an RSS or Atom feed (rather than a torrent)?"""
        if url.startswith("magnet:"):
            return False
        plain, headers = _request(url, "", "")
        try:
            got = fetch(plain, timeout=FETCH_TIMEOUT, max_bytes=MAX_FEED_BYTES, headers=headers)
        except FetchError as exc:
            log.info("add-unknown-url: %s", exc, **logs.category(logs.RSS))
            return False
        return not got.body.startswith(b"d") and is_feed_document(got.body)

    # --- poller ----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping:
            try:
                self._poll()
                timeout = self._seconds_to_next()
            except Exception:  # the poller must survive anything; a pause keeps a repeating error cheap
                log.exception("RSS: unexpected error; the poller carries on in %d s", ERROR_PAUSE)
                timeout = ERROR_PAUSE
            self._wake.wait(timeout)
            self._wake.clear()

    def _poll(self) -> None:
        with self._lock:
            now = time.time()
            due = [f for f in self._state.feeds.values() if f.enabled and f.next_update <= now]
            for feed in due:  # scheduled before fetching, so no failure can make a feed due at once again
                feed.next_update, feed.state = int(now + self._interval()), STATE_UPDATING
            jobs = [(f.ident, f.url, f.etag, f.last_modified) for f in due]
            rematch, self._rematch = self._rematch, False
        for job in jobs:
            if self._stopping:
                return
            self._refresh(*job)
        if rematch:  # the feeds refreshed above have just been matched
            with self._lock:
                others = [i for i in self._state.feeds if i not in {job[0] for job in jobs}]
            for ident in others:
                self._add_picks(ident)

    def _refresh(self, ident: int, url: str, etag: str, last_modified: str) -> None:
        try:
            error = self._update(ident, url, etag, last_modified)
        except Exception as exc:  # a bug or an engine failure must not leave the feed "updating"
            log.exception("RSS feed %d: update failed", ident)
            error = f"internal error: {exc}"
        if error:
            log.warning("RSS feed %d: %s; trying again in %d min", ident, error, self._interval() // 60,
                        **logs.category(logs.RSS_ERROR))
        self._finish(ident, url, STATE_ERROR if error else STATE_IDLE)

    def _update(self, ident: int, url: str, etag: str, last_modified: str) -> str:
        """Fetch, parse and match one feed; the error message, or "" when all went well."""
        plain, headers = _request(url, etag, last_modified)
        try:
            got = fetch(plain, timeout=FETCH_TIMEOUT, max_bytes=MAX_FEED_BYTES, headers=headers)
            parsed = None if got.status == 304 else parse_feed(got.body, got.url, ident, int(time.time()))
        except (FetchError, FeedError) as exc:
            return str(exc)
        with self._lock:
            feed = self._state.feeds.get(ident)
            if feed is None or feed.url != url:
                return ""  # removed or pointed elsewhere while we fetched
            if parsed:
                _apply(feed, *parsed, got.etag or "", got.last_modified or "")
        self._add_picks(ident)  # before _finish: "idle" means this update is done
        return ""

    def _finish(self, ident: int, url: str, state: int) -> None:
        with self._lock:
            feed = self._state.feeds.get(ident)
            if feed and feed.url == url:
                feed.state = STATE_UPDATING if feed.next_update == 0 else state  # update=1 came meanwhile
            self._store.save(self._state)

    def _add_picks(self, ident: int) -> None:
        with self._lock:
            feed = self._state.feeds.get(ident)
            if feed is None or not feed.enabled:
                return
            chosen = matching.picks(self._state, feed, smart_repack=bool(self._settings.get("rss.smart_repack_filter")),
                                    feed_as_label=bool(self._settings.get("rss.feed_as_default_label")))
        for pick in chosen:
            if self._stopping:
                break
            self._add(pick)
        if chosen:  # one write per pass: a crash mid-pass re-offers items the engine already has
            with self._lock:
                self._store.save(self._state)

    def _add(self, pick: matching.Pick) -> None:
        options = self._make_options(save_path=pick.save_path, label=pick.label, stopped=pick.stopped,
                                     rss_feed_url=pick.feed_url, queue_top=pick.queue_top)
        try:
            self._add_torrent(pick.url, options)
        except Exception as exc:  # the engine's refusal (bad .torrent, unreachable link) is the item's problem
            log.warning("RSS: cannot add %s: %s; trying again at the next update", pick.item_url, exc,
                        **logs.category(logs.RSS_ERROR))
            return
        now = int(time.time())
        log.info("RSS: added %s (%s)", pick.item_url, f"filter {pick.filter_id}" if pick.filter_id else "subscription",
                 **logs.category(logs.RSS))
        with self._lock:
            self._state.remember(pick.item_url, now, list(pick.episode_keys), pick.repack)
            if pick.filter_id in self._state.filters:
                self._state.filters[pick.filter_id].last_match = now

    def _seconds_to_next(self) -> float | None:
        with self._lock:
            times = [f.next_update for f in self._state.feeds.values() if f.enabled]
        return max(0.0, min(times) - time.time()) if times else None

    def _interval(self) -> int:
        return max(1, int(self._settings.get("rss.update_interval"))) * 60

    def _feed(self, ident: int) -> Feed:
        if ident not in self._state.feeds:
            raise ValueError(f"no RSS feed with id {ident}")
        return self._state.feeds[ident]

    def _filter(self, ident: int) -> Filter:
        if ident not in self._state.filters:
            raise ValueError(f"no RSS filter with id {ident}")
        return self._state.filters[ident]


def _apply(feed: Feed, title: str, items: list, etag: str, last_modified: str) -> None:
    """A fetched document replaces the feed's items; an item seen before keeps its timestamp."""
    seen = {item.url: item.timestamp for item in feed.items}
    for item in items:
        item.timestamp = seen.get(item.url, item.timestamp)
    feed.title, feed.items, feed.etag, feed.last_modified = title, items, etag, last_modified


def _request(url: str, etag: str, last_modified: str) -> tuple[str, dict[str, str]]:
    plain, cookie = split_cookie(url)
    headers = {"Cookie": cookie, "If-None-Match": etag, "If-Modified-Since": last_modified}
    return plain, {name: value for name, value in headers.items() if value}


def _checked_url(url: str) -> str:
    url = url.strip()
    try:
        check_scheme(split_cookie(url)[0])
    except FetchError as exc:
        raise ValueError(f"rss-update: {exc}") from None
    return url


def _ident(value: str, action: str, name: str) -> int:
    try:
        return parse_int(value)
    except ValueError:
        raise ValueError(f"{action}: {name} must be an integer, not {value!r}") from None
