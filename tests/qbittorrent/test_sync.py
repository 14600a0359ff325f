"""sync/maindata rid deltas and sync/torrentPeers, per login session."""

from __future__ import annotations

from tests.qbittorrent.helpers import add, made
from tests.qbittorrent.support import logged_in
from tests.support.daemon import wait_for

SERVER_STATE = {"connection_status", "dht_nodes", "dl_info_data", "dl_info_speed", "dl_rate_limit", "up_info_data",
                "up_info_speed", "up_rate_limit", "alltime_dl", "alltime_ul", "global_ratio", "queueing",
                "use_alt_speed_limits", "refresh_interval", "free_space_on_disk", "total_peer_connections"}


def test_full_update_then_deltas_then_removal(qbt_daemon, tmp_path):
    client = logged_in(qbt_daemon)
    torrent = made(tmp_path)
    add(client, torrent, stopped="true", category="sync-cat")
    h = torrent.info_hash.lower()
    full = client.get("sync/maindata")
    assert full["full_update"] is True and isinstance(full["rid"], int)
    assert "hash" not in full["torrents"][h] and full["torrents"][h]["state"] == "stoppedDL"
    assert set(full["server_state"]) >= SERVER_STATE
    assert isinstance(full["server_state"]["global_ratio"], str)
    assert full["categories"]["sync-cat"] == {"name": "sync-cat", "savePath": ""}

    def settled() -> dict:  # a delta with no change to this torrent (a stopped torrent stays still)
        reply = client.get("sync/maindata", rid=state["rid"])
        state["rid"] = reply["rid"]
        return reply if h not in reply.get("torrents", {}) else {}
    state = {"rid": full["rid"]}
    quiet = wait_for(settled, what="a delta without the stopped torrent")
    assert "full_update" not in quiet and "categories" not in quiet
    client.post("torrents/addTags", hashes=h, tags="synced")
    change = wait_for(lambda: _changed(client, state, h), what="the tag change in a delta")
    assert change.get("tags") == "synced" and "name" not in change  # only the keys that changed
    client.post("torrents/createCategory", category="sync-new")
    reply = client.get("sync/maindata", rid=state["rid"])
    state["rid"] = reply["rid"]
    assert reply["categories"] == {"sync-new": {"name": "sync-new", "savePath": ""}}
    client.post("torrents/delete", hashes=h, deleteFiles="false")
    removed = wait_for(lambda: _removed(client, state, h), what="torrents_removed")
    assert removed == [h]
    stale = client.get("sync/maindata", rid=12345678)
    assert stale["full_update"] is True


def _changed(client, state: dict, h: str) -> dict:
    reply = client.get("sync/maindata", rid=state["rid"])
    state["rid"] = reply["rid"]
    return reply.get("torrents", {}).get(h, {})


def _removed(client, state: dict, h: str) -> list:
    reply = client.get("sync/maindata", rid=state["rid"])
    state["rid"] = reply["rid"]
    return reply.get("torrents_removed", [])


def test_each_session_has_its_own_rid(qbt_daemon):
    one, two = logged_in(qbt_daemon), logged_in(qbt_daemon)
    first = one.get("sync/maindata")
    assert two.get("sync/maindata", rid=first["rid"])["full_update"] is True
    assert "full_update" not in one.get("sync/maindata", rid=first["rid"])


def test_torrent_peers(qbt, tmp_path):
    torrent = made(tmp_path)
    add(qbt, torrent, stopped="true")
    reply = qbt.get("sync/torrentPeers", hash=torrent.info_hash.lower(), rid=0)
    assert reply["full_update"] is True and reply["show_flags"] is True and isinstance(reply["rid"], int)
    assert reply.get("peers", {}) == {}
    assert qbt.request("sync/torrentPeers", {"hash": "ab" * 20}, method="GET").status == 404


def test_torrent_peers_lists_a_connected_peer_then_its_changes(qbt_daemon, qbt, tmp_path):
    import os

    import libtorrent as lt

    from tests.qbittorrent.helpers import add_complete
    from tests.support.swarm import Peer
    torrent = made(tmp_path, {"big.bin": os.urandom(2 << 20)})
    add_complete(qbt, torrent)
    leecher = Peer(download_rate_limit=20_000)
    leecher.rate_limit_loopback()
    try:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(torrent.data))
        params.save_path = str(tmp_path / "leech")
        handle = leecher.session.add_torrent(params)
        h = torrent.info_hash.lower()
        state = {"rid": 0}

        def peers() -> dict:
            leecher.connect(handle, qbt_daemon.bind_port)
            reply = qbt.get("sync/torrentPeers", hash=h, rid=state["rid"])
            state["rid"] = reply["rid"]
            return reply.get("peers", {})
        listed = wait_for(peers, what="the leecher in sync/torrentPeers")
        key, peer = next(iter(listed.items()))
        assert key == f"{peer['ip']}:{peer['port']}" and peer["ip"] == "127.0.0.1"
        assert peer["connection"] in ("BT", "μTP") and isinstance(peer["up_speed"], int)
        assert 0 <= peer["progress"] <= 1
        later = wait_for(lambda: peers().get(key, {}).get("progress"), what="a delta with the peer's progress")
        assert 0 < later <= 1
    finally:
        leecher.close()
