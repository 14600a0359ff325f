"""list=1's cid deltas against a brute-force truth: clients that follow them always hold the list.

The listing keeps one row per torrent and a change log, not a copy of the list per cid, so these
walk it through adds, changes, removals, re-adds and unchanged snapshots with several clients
polling at their own pace, and check each client's copy after each poll.
"""

from __future__ import annotations

import json
import random
import typing

import pytest

from utserver.engine import TorrentView
from utserver.web.utorrent import rows
from utserver.web.utorrent.listing import KEEP, Listing

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

_EMPTY = {"int": 0, "str": "", "bool": False}  # by annotation; the tags tuple gets ()


def view(info_hash: str, name: str) -> TorrentView:
    values = {name: _EMPTY.get(getattr(kind, "__name__", ""), ()) for name, kind in typing.get_type_hints(TorrentView).items()}
    return TorrentView(**{**values, "hash": info_hash, "name": name})


def decoded(text: bytes) -> tuple:
    """A row as the listing sends it (JSON text), read back."""
    return tuple(json.loads(text))


class Client:
    """What a µTorrent API client keeps: rows by hash, patched by each delta."""

    def __init__(self) -> None:
        self.cid: str | None = None
        self.rows: dict[str, tuple] = {}

    def poll(self, listing: Listing, snapshot: dict) -> dict:
        reply = dict(listing.reply(snapshot, {}, {}, self.cid))
        if "torrents" in reply:
            self.rows = {row[0]: row for row in map(decoded, reply["torrents"])}
        else:
            for row in map(decoded, reply["torrentp"]):
                self.rows[row[0]] = row
            for info_hash in reply["torrentm"]:
                assert info_hash in self.rows, "a removal of a torrent this client never had"
                del self.rows[info_hash]
        self.cid = reply["torrentc"]
        return reply


def truth(snapshot: dict) -> dict:
    return {h: decoded(json.dumps(rows.torrent_row(v))) for h, v in snapshot.items()}


@pytest.mark.parametrize("seed", range(6))
def test_clients_following_deltas_hold_the_list(seed):
    rng = random.Random(seed)
    listing, snapshot = Listing(), {}
    clients = [Client() for _ in range(4)]
    names = {}
    for step in range(600):
        snapshot = dict(snapshot)  # the engine replaces its mapping at each change
        for _ in range(rng.randrange(4)):
            info_hash = f"{rng.randrange(60):040X}"
            action = rng.random()
            if info_hash in snapshot and action < 0.3:
                del snapshot[info_hash]
            elif action < 0.8:
                names[info_hash] = f"{info_hash[-4:]}-{step}"
                snapshot[info_hash] = view(info_hash, names[info_hash])
            elif info_hash in snapshot:  # an equal view, rebuilt: no change to show
                snapshot[info_hash] = view(info_hash, names[info_hash])
        for client in clients:
            if rng.random() < (0.9, 0.5, 0.1, 0.02)[clients.index(client)]:
                client.poll(listing, snapshot)
                assert client.rows == truth(snapshot)


def test_a_quiet_list_keeps_its_cid_and_sends_nothing():
    listing, client = Listing(), Client()
    snapshot = {f"{i:040X}": view(f"{i:040X}", str(i)) for i in range(5)}
    first = client.poll(listing, snapshot)
    assert len(first["torrents"]) == 5
    again = client.poll(listing, dict(snapshot))
    assert again["torrentc"] == first["torrentc"]
    assert again["torrentp"] == again["torrentm"] == []


def test_a_cid_older_than_the_kept_ones_gets_the_full_list():
    listing, old, busy = Listing(), Client(), Client()
    snapshot = {"A" * 40: view("A" * 40, "a")}
    old.poll(listing, snapshot)
    for step in range(KEEP + 1):
        snapshot = {"A" * 40: view("A" * 40, f"a{step}")}
        busy.poll(listing, snapshot)
    assert "torrents" in old.poll(listing, snapshot)
    assert old.rows == truth(snapshot)


def test_a_torrent_added_and_removed_between_polls_is_not_sent():
    listing, client = Listing(), Client()
    client.poll(listing, {})
    Client().poll(listing, {"B" * 40: view("B" * 40, "b")})  # another client saw it come
    reply = client.poll(listing, {})
    assert reply["torrentp"] == reply["torrentm"] == []


def test_a_change_the_list_does_not_show_is_not_sent():
    """An idle seed's clocks move with every status libtorrent reports for it (at 10,000 seeds,
    ~200 such views in 20 s): the row is the same, so a polling client gets nothing."""
    listing, client = Listing(), Client()
    seed = view("C" * 40, "c")
    first = client.poll(listing, {seed.hash: seed})
    later = seed._replace(active_time=seed.active_time + 60, seeding_time=seed.seeding_time + 60)
    reply = client.poll(listing, {seed.hash: later})
    assert reply["torrentp"] == reply["torrentm"] == [] and reply["torrentc"] == first["torrentc"]
    renamed = later._replace(name="c2")
    assert [decoded(row)[2] for row in client.poll(listing, {seed.hash: renamed})["torrentp"]] == ["c2"]
