"""/proxy streams a torrent's file with HTTP Range, also while it is still downloading."""

from __future__ import annotations

import os

import pytest

from tests.api.support import Seeder, add_file, make_torrent, raw, rows
from tests.support.daemon import wait_for

PIECE = 16384


@pytest.fixture(scope="module")
def seeder():
    peer = Seeder()
    yield peer
    peer.close()


def download(daemon, seeder, made, pieces):
    handle = seeder.seed(made)
    seeder.wait_checked(handle, pieces)
    add_file(daemon, made)
    wait_for(lambda: (seeder.offer(handle, daemon.bind_port) or True)
             and rows(daemon)[made.info_hash][5] >= pieces * PIECE - PIECE, timeout=60, interval=0.5,
             what=f"{pieces} pieces downloaded")


@pytest.fixture(scope="module")
def complete(shared_daemon, seeder, tmp_path_factory):
    content = os.urandom(PIECE * 6 + 1000)
    made = make_torrent(tmp_path_factory.mktemp("full"), "movie.mp4", {"movie.mp4": content}, piece_length=PIECE)
    download(shared_daemon, seeder, made, 7)
    wait_for(lambda: rows(shared_daemon)[made.info_hash][4] == 1000, timeout=60, what="complete")
    return made, content


def test_whole_file(shared_daemon, complete):
    made, content = complete
    resp = raw(shared_daemon, f"/proxy?id={made.info_hash}&file=0")
    assert resp.status == 200 and resp.body == content
    assert resp.headers["Content-Type"] == "video/mp4" and resp.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("header,start,end", [("bytes=0-99", 0, 100), ("bytes=1000-", 1000, None),
                                              ("bytes=-500", -500, None), ("bytes=16380-16390", 16380, 16391)])
def test_ranges(shared_daemon, complete, header, start, end):
    made, content = complete
    resp = raw(shared_daemon, f"/proxy?sid={made.info_hash.lower()}", headers={"Range": header})
    expected = content[start:end]
    first = start if start >= 0 else len(content) + start
    assert resp.status == 206 and resp.body == expected
    assert resp.headers["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(content)}"


def test_range_outside_the_file_is_416(shared_daemon, complete):
    made, content = complete
    resp = raw(shared_daemon, f"/proxy?id={made.info_hash}", headers={"Range": f"bytes={len(content)}-"})
    assert resp.status == 416


def test_disposition_names_the_file(shared_daemon, complete):
    made, _ = complete
    resp = raw(shared_daemon, f"/proxy?id={made.info_hash}&file=0&disposition=ATTACHMENT")
    assert resp.headers["Content-Disposition"] == "attachment; filename*=UTF-8''movie.mp4"


@pytest.mark.parametrize("query,status", [("id=" + "E" * 40, 404), ("", 400), ("id={h}&file=5", 404)])
def test_bad_requests(shared_daemon, complete, query, status):
    made, _ = complete
    assert raw(shared_daemon, "/proxy?" + query.format(h=made.info_hash)).status == status


def test_streams_the_downloaded_part_of_an_incomplete_file(shared_daemon, seeder, tmp_path):
    """The seeder holds only the first 3 of 6 pieces: those stream, the rest answers 503."""
    content = os.urandom(PIECE * 6)
    made = make_torrent(tmp_path, "partial.mkv", {"partial.mkv": content}, piece_length=PIECE)
    path = made.folder / "partial.mkv"
    path.write_bytes(content[: PIECE * 3] + os.urandom(PIECE * 3))  # the seeder's copy is half wrong
    download(shared_daemon, seeder, made, 3)
    wait_for(lambda: raw(shared_daemon, f"/proxy?id={made.info_hash}",
                         headers={"Range": "bytes=0-"}).body == content[: PIECE * 3],
             timeout=30, what="the three pieces readable")
    resp = raw(shared_daemon, f"/proxy?id={made.info_hash}", headers={"Range": "bytes=100-"})
    assert resp.status == 206 and resp.headers["Content-Range"] == f"bytes 100-{PIECE * 3 - 1}/{len(content)}"
    missing = raw(shared_daemon, f"/proxy?id={made.info_hash}", headers={"Range": f"bytes={PIECE * 4}-"})
    assert missing.status == 503 and missing.headers["Retry-After"]
    assert raw(shared_daemon, f"/proxy?id={made.info_hash}").status == 503  # no Range: whole file needed


def test_getpeers_shows_the_real_peer(shared_daemon, seeder, tmp_path):
    content = os.urandom(PIECE * 40)
    made = make_torrent(tmp_path, "peers.bin", {"peers.bin": content}, piece_length=PIECE)
    handle = seeder.seed(made)
    seeder.wait_checked(handle, 40)
    add_file(shared_daemon, made)
    shared_daemon.api({"action": "setprops", "hash": made.info_hash, "s": "dlrate", "v": "16384"})

    def peers():
        seeder.offer(handle, shared_daemon.bind_port)
        return shared_daemon.api({"action": "getpeers", "hash": made.info_hash})["peers"][1]
    found = wait_for(peers, timeout=30, interval=0.5, what="a peer in getpeers")
    assert len(found[0]) == 22 and found[0][1] == "127.0.0.1" and isinstance(found[0][4], int)
