"""Reading feed documents: RSS 0.91, 1.0 (RDF), 2.0, Atom; which URL an item gets."""

from __future__ import annotations

import sys

import pytest

from utserver.rss.feeds import FeedError, is_feed_document, parse_feed

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

FEED = "http://127.0.0.1:8000/feeds/tv.xml"
MAGNET = "magnet:?xt=urn:btih:" + "ab" * 20


def rss2_item(inner: str, title: str = "Show.S01E02.720p") -> bytes:
    return (f'<rss version="2.0" xmlns:torrent="http://xmlns.ezrss.it/0.1/"><channel><title>T</title>'
            f"<item><title>{title}</title>{inner}</item></channel></rss>").encode()


def urls(document: bytes) -> list[str]:
    return [item.url for item in parse_feed(document, FEED, 3, 1000)[1]]


def test_rss_091():
    doc = (b'<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>http://127.0.0.1/</link>'
           b"<description>d</description><item><title>Show 1x05 HDTV</title>"
           b"<link>http://127.0.0.1/a.torrent</link></item></channel></rss>")
    title, items = parse_feed(doc, FEED, 3, 1000)
    assert title == "Old"
    assert [(i.name, i.season, i.episode, i.url, i.feed_id, i.timestamp) for i in items] == [
        ("Show", 1, 5, "http://127.0.0.1/a.torrent", 3, 1000)]  # no date: when first seen


def test_rss_10_rdf():
    doc = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<channel rdf:about="http://127.0.0.1/"><title>RDF</title><link>http://127.0.0.1/</link>'
           b"<description>d</description></channel>"
           b'<item rdf:about="http://127.0.0.1/b.torrent"><title>Show.S02E03.PDTV</title>'
           b"<link>http://127.0.0.1/b.torrent</link><dc:date>2024-01-02T03:04:05Z</dc:date></item></rdf:RDF>")
    title, items = parse_feed(doc, FEED, 3, 1000)
    assert (title, items[0].url, items[0].season, items[0].episode, items[0].quality) == (
        "RDF", "http://127.0.0.1/b.torrent", 2, 3, 7)
    assert items[0].timestamp == 1704164645


@pytest.mark.parametrize(("inner", "expected"), [
    # a torrent enclosure beats the web page link
    ('<link>http://127.0.0.1/page</link><enclosure url="http://127.0.0.1/x.torrent" '
     'type="application/x-bittorrent" length="1"/>', "http://127.0.0.1/x.torrent"),
    # a magnet beats a .torrent link
    (f'<link>http://127.0.0.1/y.torrent</link><enclosure url="{MAGNET.replace("&", "&amp;")}" '
     'type="application/x-bittorrent" length="1"/>', MAGNET),
    # ezRSS's torrent:magnetURI
    (f"<link>http://127.0.0.1/page</link><torrent:magnetURI>{MAGNET}</torrent:magnetURI>", MAGNET),
    # any enclosure beats the page link
    ('<link>http://127.0.0.1/page</link><enclosure url="http://127.0.0.1/dl?id=5" type="" length="1"/>',
     "http://127.0.0.1/dl?id=5"),
    # relative links are resolved against the feed
    ("<link>../files/z.torrent</link>", "http://127.0.0.1:8000/files/z.torrent"),
])
def test_item_url_preference(inner, expected):
    assert urls(rss2_item(inner)) == [expected]


def test_atom_entry_without_a_title_is_named_by_its_file():
    doc = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>'
           b"<updated>2024-01-01T00:00:00Z</updated><entry><id>urn:1</id><updated>2024-01-01T00:00:00Z</updated>"
           b'<link rel="enclosure" type="application/x-bittorrent" href="http://127.0.0.1/Show.S01E09.torrent"/>'
           b"</entry></feed>")
    item = parse_feed(doc, FEED, 1, 0)[1][0]
    assert (item.full_name, item.episode) == ("Show.S01E09.torrent", 9)


def test_html_entities_in_titles_are_decoded():
    item = parse_feed(rss2_item("<link>http://127.0.0.1/a.torrent</link>", "Tom &amp; Jerry S01E01"), FEED, 1, 0)[1][0]
    assert (item.full_name, item.name) == ("Tom & Jerry S01E01", "Tom & Jerry")


@pytest.mark.parametrize("body", [b"", b"garbage", b"<html><body>login</body></html>", b"d8:announce3:abce",
                                  b"/etc/passwd"])
def test_non_feeds_are_refused(body):
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(body, FEED, 1, 0)
    assert not is_feed_document(body)


def test_a_body_naming_a_file_is_not_read_from_disk(tmp_path):
    """feedparser opens a str/bytes argument as a path when it can; a hostile body must not do that."""
    local = tmp_path / "local.xml"
    local.write_bytes(rss2_item("<link>http://127.0.0.1/secret.torrent</link>"))
    with pytest.raises(FeedError):
        parse_feed(str(local).encode(), FEED, 1, 0)


def test_without_feedparser_a_feed_gets_a_clear_error_and_the_rest_still_runs(monkeypatch):
    """The packages only recommend python3-feedparser: the daemon starts without it, feeds say why."""
    monkeypatch.setitem(sys.modules, "feedparser", None)  # import feedparser now raises ImportError
    with pytest.raises(FeedError, match="needs feedparser"):
        parse_feed(rss2_item("<link>http://127.0.0.1/a.torrent</link>"), FEED, 1, 0)
