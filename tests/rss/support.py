"""Real parts for RSS tests: a local HTTP server, real .torrent files and magnets, an engine stand-in."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import libtorrent as lt

from utserver.fetch import fetch, split_cookie
from utserver.rss.manager import RssManager

MB = 1024 * 1024
SETTINGS = {"rss.update_interval": 15, "rss.smart_repack_filter": True, "rss.feed_as_default_label": False}


class Settings(dict):
    """The settings RSS reads; like utserver.settings.Settings, an unknown name raises KeyError."""

    def get(self, name: str) -> object:
        return self[name]


def wait_until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> object:
    """Poll *condition* until it is truthy; fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# --- HTTP server ------------------------------------------------------------------------------
@dataclass
class Route:
    body: bytes | Callable[[http.server.BaseHTTPRequestHandler], None]
    status: int = 200
    content_type: str = "application/rss+xml"
    etag: str | None = None
    last_modified: str | None = None


class FeedServer:
    """Serves routes on 127.0.0.1 and records each request's path and headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                elif callable(route.body):
                    route.body(self)
                else:
                    server.answer(self, route)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def answer(self, handler: http.server.BaseHTTPRequestHandler, route: Route) -> None:
        fresh = ((route.etag and handler.headers.get("If-None-Match") == route.etag)
                 or (route.last_modified and handler.headers.get("If-Modified-Since") == route.last_modified))
        handler.send_response(304 if fresh else route.status)
        for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified)):
            if value:
                handler.send_header(name, value)
        if fresh:
            handler.end_headers()
            return
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        handler.wfile.write(route.body)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- torrents ---------------------------------------------------------------------------------
def make_torrent(folder: Path, name: str) -> tuple[bytes, str]:
    """A real single-file .torrent made by libtorrent, and its v1 info-hash (hex)."""
    content = folder / name
    content.parent.mkdir(parents=True, exist_ok=True)
    content.write_bytes(hashlib.sha256(name.encode()).digest() * 512)
    files = lt.file_storage()
    with warnings.catch_warnings():  # deprecated in libtorrent 2.1, the only way in 2.0.8
        warnings.simplefilter("ignore", DeprecationWarning)
        lt.add_files(files, str(content))
        torrent = lt.create_torrent(files)
    lt.set_piece_hashes(torrent, str(folder))
    data = lt.bencode(torrent.generate())
    return data, str(lt.torrent_info(lt.bdecode(data)).info_hashes().v1)


def magnet(name: str) -> tuple[str, str]:
    info_hash = hashlib.sha1(name.encode()).hexdigest()
    return f"magnet:?xt=urn:btih:{info_hash}&dn={name}", info_hash


# --- engine stand-in --------------------------------------------------------------------------
@dataclass
class Options:  # the fields of utserver.engine.AddOptions that RSS sets
    save_path: str | None
    label: str
    stopped: bool
    rss_feed_url: str
    queue_top: bool = False


@dataclass
class Added:
    name: str
    info_hash: str
    url: str
    options: Options


class Engine:
    """Adds like the engine's add-url: fetches and parses the .torrent (or reads the magnet)."""

    def __init__(self) -> None:
        self.added: list[Added] = []
        self.lock = threading.Lock()

    def add_torrent(self, url: str, options: Options) -> str:
        if url.startswith("magnet:"):
            params = lt.parse_magnet_uri(url)
            name, info_hash = params.name, str(params.info_hashes.v1)
        else:
            plain, cookie = split_cookie(url)
            got = fetch(plain, max_bytes=1 << 20, headers={"Cookie": cookie} if cookie else None)
            info = lt.torrent_info(lt.bdecode(got.body))
            name, info_hash = info.name(), str(info.info_hashes().v1)
        with self.lock:
            self.added.append(Added(name, info_hash, url, options))
        return info_hash

    def hashes(self) -> list[str]:
        with self.lock:
            return [a.info_hash for a in self.added]


# --- documents --------------------------------------------------------------------------------
@dataclass
class Entry:
    title: str
    url: str
    how: str = "enclosure"  # enclosure | link | magnet-link
    published: int = 1_700_000_000


def rss2(title: str, entries: list[Entry]) -> bytes:
    items = []
    for e in entries:
        link = {"enclosure": f'<link>http://127.0.0.1/page</link><enclosure url="{escape(e.url)}" '
                             f'type="application/x-bittorrent" length="1"/>',
                "link": f"<link>{escape(e.url)}</link>",
                "magnet-link": f"<link>{escape(e.url)}</link>"}[e.how]
        items.append(f"<item><title>{escape(e.title)}</title>{link}"
                     f"<pubDate>{email.utils.formatdate(e.published, usegmt=True)}</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://127.0.0.1/</link><description>test</description>{''.join(items)}</channel></rss>").encode()


def atom(title: str, entries: list[Entry]) -> bytes:
    items = []
    for e in entries:
        rel = 'rel="enclosure" type="application/x-bittorrent"' if e.how == "enclosure" else 'rel="alternate"'
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e.published))
        items.append(f"<entry><title>{escape(e.title)}</title><id>urn:{escape(e.title)}</id>"
                     f'<updated>{stamp}</updated><link {rel} href="{escape(e.url)}"/></entry>')
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:feed</id><updated>2024-01-01T00:00:00Z</updated>"
            f"{''.join(items)}</feed>").encode()


class Releases:
    """Serves one real .torrent per release title (or a magnet) and builds feed entries for them."""

    def __init__(self, server: FeedServer, folder: Path) -> None:
        self.server, self.folder = server, folder
        self.hash_of: dict[str, str] = {}

    def entry(self, title: str, how: str = "enclosure", published: int = 1_700_000_000) -> Entry:
        if how == "magnet-link":
            url, self.hash_of[title] = magnet(title)
        else:
            data, self.hash_of[title] = make_torrent(self.folder, title)
            path = f"/torrents/{hashlib.sha1(title.encode()).hexdigest()[:12]}.torrent"  # one URL per title
            self.server.routes[path] = Route(data, content_type="application/x-bittorrent")
            url = self.server.url(path)
        return Entry(title, url, how, published)


def feed_state(manager: RssManager, ident: int) -> int:
    return manager.feed_rows()[ident][5]


def add_feed(manager: RssManager, url: str, **params: str) -> int:
    """rss-update a new feed and wait until its first update is over."""
    ident = manager.update_feed({"url": url, **params})
    wait_until(lambda: feed_state(manager, ident) != 1, "the first update of the feed")
    return ident


def refresh(manager: RssManager, ident: int) -> None:
    """rss-update&update=1 (what "the next interval" does) and wait until it is over."""
    manager.update_feed({"feed-id": str(ident), "update": "1"})
    wait_until(lambda: feed_state(manager, ident) != 1, "the feed update")
