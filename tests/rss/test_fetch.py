"""utserver.fetch against a real local HTTP server."""

from __future__ import annotations

import pytest

from tests.rss.support import MB, Route
from utserver.fetch import FetchError, fetch, split_cookie

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


def test_get_returns_body_and_validators(server):
    server.routes["/a"] = Route(b"hello", etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    got = fetch(server.url("/a"), max_bytes=100)
    assert (got.status, got.body, got.etag, got.last_modified) == (
        200, b"hello", '"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")


def test_conditional_get_answers_304(server):
    server.routes["/a"] = Route(b"hello", etag='"v1"')
    got = fetch(server.url("/a"), max_bytes=100, headers={"If-None-Match": '"v1"'})
    assert (got.status, got.body) == (304, b"")


@pytest.mark.parametrize("status", [404, 500])
def test_error_status_raises_with_the_code(server, status):
    server.routes["/a"] = Route(b"nope", status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        fetch(server.url("/a"), max_bytes=100)


def test_refused_connection_raises(server):
    url = server.url("/a")
    server.close()
    with pytest.raises(FetchError, match="127.0.0.1"):
        fetch(url, max_bytes=100, timeout=5)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "/relative", "javascript:x"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="unsupported URL scheme"):
        fetch(url, max_bytes=100)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_redirect_away_from_http_is_refused(server, target):
    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.end_headers()
    server.routes["/r"] = Route(redirect)
    with pytest.raises(FetchError, match=f"{target}.*not allowed|unsupported URL scheme"):
        fetch(server.url("/r"), max_bytes=100)


def test_declared_size_over_the_cap_is_refused(server):
    server.routes["/big"] = Route(b"x" * 2000)
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch(server.url("/big"), max_bytes=1000)


def test_endless_body_stops_at_the_cap(server):
    """50 MB without Content-Length: the reader gives up at the cap, so the server cannot send it all."""
    sent = []

    def stream(handler):
        handler.send_response(200)
        handler.end_headers()
        chunk = b"x" * MB
        try:
            for _ in range(50):
                handler.wfile.write(chunk)
                sent.append(len(chunk))
        except OSError:  # the client hung up
            pass
    server.routes["/huge"] = Route(stream)
    with pytest.raises(FetchError, match="larger than"):
        fetch(server.url("/huge"), max_bytes=2 * MB)
    assert sum(sent) < 50 * MB


def test_body_exactly_at_the_cap_is_fine(server):
    server.routes["/a"] = Route(b"x" * 1000)
    assert len(fetch(server.url("/a"), max_bytes=1000).body) == 1000


def test_cookie_suffix_is_split_and_sent(server):
    server.routes["/t"] = Route(b"ok")
    url, cookie = split_cookie(server.url("/t") + ":COOKIE:uid=7;pass=abc")
    assert (url, cookie) == (server.url("/t"), "uid=7;pass=abc")
    fetch(url, max_bytes=100, headers={"Cookie": cookie})
    assert server.requests_for("/t")[0]["Cookie"] == "uid=7;pass=abc"


def test_url_without_cookie_is_unchanged():
    assert split_cookie("http://h/x.torrent?a=1") == ("http://h/x.torrent?a=1", None)
