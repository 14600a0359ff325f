"""One small HTTP(S) GET for RSS feeds and add-url: a timeout, a size cap, conditional GET.

Only http and https are fetched (also after redirects): a feed or a web client must not make
the daemon read file:// or ftp:// URLs. The body is read in chunks and reading stops as soon as
it passes the cap, so a hostile 50 MB answer costs at most the cap in memory.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

from utserver import __version__

USER_AGENT = f"utserver/{__version__}"
SCHEMES = ("http", "https")
CHUNK = 64 * 1024
# µTorrent's way to pass cookies with a URL: "http://host/x.torrent:COOKIE:uid=1;pass=2"
_COOKIE_MARK = re.compile(r":COOKIE:", re.IGNORECASE)


class FetchError(Exception):
    """The URL could not be fetched; str() says why, naming the URL."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 2xx, or 304 when a conditional GET found nothing new
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # keys in lower case
    url: str = ""  # the final URL, after redirects

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def split_cookie(url: str) -> tuple[str, str | None]:
    """Split µTorrent's "URL:COOKIE:a=1;b=2" into the URL and the Cookie header value."""
    parts = _COOKIE_MARK.split(url, maxsplit=1)
    if len(parts) == 1:
        return url, None
    return parts[0], parts[1] or None


def check_scheme(url: str) -> None:
    """Raise FetchError unless *url* is http(s)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(f"{url}: unsupported URL scheme {scheme or '(none)'!r} (only http and https)")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        check_scheme(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def fetch(url: str, *, timeout: float = 30, max_bytes: int, headers: dict | None = None) -> Fetched:
    """GET *url*; a 2xx or 304 answer is returned, anything else raises FetchError."""
    check_scheme(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _read(url, response, max_bytes)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(304, b"", _lower(exc.headers), exc.url or url)
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: {exc.reason}") from None
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(f"{url}: {exc or type(exc).__name__}") from None


def _read(url: str, response: http.client.HTTPResponse, max_bytes: int) -> Fetched:
    too_big = FetchError(f"{url}: answer larger than {max_bytes} bytes")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big
    body = bytearray()
    while chunk := response.read(min(CHUNK, max_bytes + 1 - len(body))):
        body += chunk
        if len(body) > max_bytes:
            raise too_big
    return Fetched(response.status, bytes(body), _lower(response.headers), response.url or url)


def _lower(headers: Mapping[str, str] | Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}
