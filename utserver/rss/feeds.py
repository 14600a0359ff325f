"""RSS feeds: the feed model, its wire row, and reading RSS 0.9x/1.0/2.0 and Atom with feedparser.

An item's URL is, in this order: an enclosure of type application/x-bittorrent, a magnet link
(link, enclosure or ezRSS's torrent:magnetURI), a link ending in .torrent, any enclosure, the item
link. Relative links are resolved against the feed URL.
"""

from __future__ import annotations

import calendar
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from utserver import logs
from utserver.rss.params import parse_bool
from utserver.rss.titles import parse_title

log = logging.getLogger("utserver.rss")

TORRENT_TYPE = "application/x-bittorrent"
MAX_ITEMS = 500  # a feed keeps at most this many items (the newest the document lists first)

# DOWNLOAD STATE of a feed row.
STATE_IDLE, STATE_UPDATING, STATE_ERROR = 0, 1, 2


class FeedError(ValueError):
    """The document is not an RSS or Atom feed."""


@dataclass
class Item:
    name: str
    full_name: str
    url: str
    quality: int = 0
    codec: int = 0
    timestamp: int = 0
    season: int = 0
    episode: int = 0
    episode_to: int = 0
    feed_id: int = 0
    repack: bool = False

    def row(self, in_history: bool) -> list:
        """The manual's item row inside an "rssfeeds" row."""
        return [self.name, self.full_name, self.url, self.quality, self.codec, self.timestamp,
                self.season, self.episode, self.episode_to, self.feed_id, self.repack, in_history]


@dataclass
class Feed:
    ident: int
    url: str
    alias: str = ""  # the user's name for the feed; empty: use the feed's own title
    title: str = ""  # the title the feed gave itself
    enabled: bool = True
    subscribe: bool = False  # add every item
    smart_filter: bool = False  # with subscribe: never the same episode twice
    etag: str = ""
    last_modified: str = ""
    items: list[Item] = field(default_factory=list)
    # Not persisted: a restart fetches every enabled feed at once.
    next_update: int = 0
    state: int = STATE_IDLE

    @property
    def display_name(self) -> str:
        return self.alias or self.title

    def row(self, in_history: set[str]) -> list:
        """The manual's "rssfeeds" row; URL is "name|url" as µTorrent sends it (the WebUI splits it)."""
        name = self.display_name.replace("|", "\u00a6")  # a "|" in a title would split in the wrong place
        url = f"{name}|{self.url}" if name else self.url
        return [self.ident, self.enabled, not self.alias, self.subscribe, self.smart_filter,
                self.state, url, self.next_update, [i.row(i.url in in_history) for i in self.items]]


# rss-update parameter -> (Feed attribute, parser). url and alias are checked by the manager.
FEED_PARAMS: dict[str, tuple[str, Callable[[str], object]]] = {
    "url": ("url", str),
    "alias": ("alias", str),
    "subscribe": ("subscribe", parse_bool),
    "smart-filter": ("smart_filter", parse_bool),
    "enabled": ("enabled", parse_bool),
}


def parse_feed(body: bytes, feed_url: str, feed_id: int, now: int) -> tuple[str, list[Item]]:
    """The title and items of an RSS/Atom document; FeedError if it is neither."""
    try:  # here, not at the top: ~1 MiB that a daemon without feeds never needs
        import feedparser
    except ImportError:  # the packages only recommend it
        raise FeedError(f"{feed_url}: reading feeds needs feedparser (python3-feedparser)") from None
    # A stream, never bytes or str: feedparser would take those for a file name or URL to open.
    parsed = feedparser.parse(io.BytesIO(body))
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise FeedError(f"{feed_url}: not an RSS or Atom feed ({reason})")
    items = []
    for entry in parsed.entries[:MAX_ITEMS]:
        item = _item(entry, feed_url, feed_id, now)
        if item:
            items.append(item)
        else:
            log.warning("RSS %s: item %r has no link; skipped", feed_url, entry.get("title", ""),
                        **logs.category(logs.RSS_ERROR))
    return parsed.feed.get("title", ""), items


def is_feed_document(body: bytes) -> bool:
    """Is *body* an RSS or Atom document (for add-unknown-url)?"""
    try:
        parse_feed(body, "", 0, 0)
    except FeedError:
        return False
    return True


def _item(entry: dict, feed_url: str, feed_id: int, now: int) -> Item | None:
    url = _item_url(entry, feed_url)
    if not url:
        return None
    title = (entry.get("title") or _file_name(url)).strip()
    info = parse_title(title)
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return Item(info.name, title, url, info.quality, info.codec,
                calendar.timegm(when) if when else now, info.season, info.episode, info.episode_to,
                feed_id, info.repack)


def _item_url(entry: dict, feed_url: str) -> str:
    links = [(link.get("href", ""), link.get("type", ""), link.get("rel", ""))
             for link in entry.get("links", []) if link.get("href")]
    enclosures = [(href, kind) for href, kind, rel in links if rel == "enclosure"]
    candidates = (
        [href for href, kind in enclosures if kind == TORRENT_TYPE]
        + [href for href, _, _ in links if href.startswith("magnet:")]
        + [entry.get("torrent_magneturi", "")]
        + [href for href, _, _ in links if urlsplit(href).path.lower().endswith(".torrent")]
        + [href for href, _ in enclosures]
        + [entry.get("link", "")]
    )
    url = next((c.strip() for c in candidates if c and c.strip()), "")
    return url if not url or url.startswith("magnet:") else urljoin(feed_url, url)


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]
