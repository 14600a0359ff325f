"""Settings reach the live libtorrent session, at start and when changed at run time."""

import time

import libtorrent as lt
import pytest

from tests.support.daemon import wait_for
from tests.support.swarm import Peer
from utserver.engine.pack import FRUGAL, NOT_APPLICABLE, build_pack
from utserver.settings import BY_NAME


def defaults(**overrides):
    return lambda name: overrides.get(name, BY_NAME[name].default)


@pytest.mark.parametrize("name, value, key, expected", [
    ("max_dl_rate", 100, "download_rate_limit", 102400),
    ("max_dl_rate", -1, "download_rate_limit", 0),
    ("max_ul_rate", 5, "upload_rate_limit", 5120),
    ("max_total_connections", 77, "connections_limit", 77),
    ("max_active_downloads", 1, "active_downloads", 1),
    ("max_active_torrent", -1, "active_limit", -1),
    ("dht", False, "enable_dht", False),
    ("lsd", False, "enable_lsd", False),
    ("natpmp", False, "enable_natpmp", False),
    ("bt.transp_disposition", 5, "enable_outgoing_utp", False),
    ("bt.transp_disposition", 5, "enable_incoming_tcp", True),
    ("encryption_mode", 2, "out_enc_policy", 0),
    ("encryption_mode", 0, "out_enc_policy", 2),
    ("auto_bandwidth_management", False, "mixed_mode_algorithm", 0),
    ("minimize_kernel_caching", True, "disk_io_read_mode", 2),
    ("all_writes_sync", True, "disk_io_write_mode", 3),
    ("disk_cache_max_size", 8, "max_queued_disk_bytes", 8 << 20),
    ("low_cpu", True, "connection_speed", 5),
    ("bind_ip", "::1", "listen_interfaces", "[::1]:6881"),
    ("ipv6", False, "listen_interfaces", "0.0.0.0:6881"),
])
def test_each_setting_maps_to_libtorrent(name, value, key, expected):
    assert build_pack(defaults(**{name: value}), 6881, lt_upnp=False)[key] == expected


@pytest.mark.parametrize("torrents, downloads, uncounted", [(-1, -1, True), (-1, 5, False), (8, -1, False), (8, 5, False)])
def test_idle_torrents_go_inactive_only_when_the_queue_has_no_limit(torrents, downloads, uncounted):
    """libtorrent 2.1 ticks every running torrent each tick unless it may go inactive, which it
    does only when slow torrents are not counted; µTorrent counts every started one against a limit."""
    get = defaults(max_active_torrent=torrents, max_active_downloads=downloads)
    pack = build_pack(get, 6881, lt_upnp=False)
    assert pack["dont_count_slow_torrents"] is uncounted
    # its queue pass over every torrent, with nothing to decide (events still trigger one at once)
    assert pack["auto_manage_interval"] == (600 if uncounted else 30)


def test_the_frugal_defaults_never_open_files_synchronously():
    pack = build_pack(defaults(), 6881, lt_upnp=False)
    assert pack["disk_io_write_mode"] == 0 and pack["max_queued_disk_bytes"] == FRUGAL["max_queued_disk_bytes"]
    assert lt.session(pack).get_settings()["listen_interfaces"]  # libtorrent accepts every key and type


def test_settings_without_a_libtorrent_mechanism_are_known_and_logged_once(make_engine, caplog):
    assert set(NOT_APPLICABLE) <= set(BY_NAME)
    make_engine({"compact_allocation": 1, "write_coalesce_max_size": 4})
    text = caplog.text
    assert text.count("compact_allocation is accepted but has no effect") == 1
    assert "write_coalesce_max_size is accepted but has no effect" in text


def test_a_change_at_run_time_reaches_the_live_session(make_engine):
    env = make_engine()
    env.settings.set_from_api([("max_ul_rate", "64"), ("max_active_downloads", "2")])
    settings = env.engine.session.get_settings()
    assert settings["upload_rate_limit"] == 65536 and settings["active_downloads"] == 2


def test_libtorrent_ticks_every_two_seconds_only_while_no_torrent_runs(make_engine, content):
    """Fewer idle wake-ups, and a torrent that starts gets the one-second tick back."""
    torrent, _seed_dir, _data = content
    env = make_engine()
    tick = lambda: env.engine.session.get_settings()["tick_interval"]  # noqa: E731
    wait_for(lambda: tick() == 2000, timeout=10, what="the idle tick")
    h = env.engine.add_bytes(torrent)
    wait_for(lambda: tick() == 1000, timeout=10, what="the running tick")
    env.engine.stop(h)
    wait_for(lambda: tick() == 2000, timeout=10, what="the idle tick again")


def test_a_seed_without_peers_ticks_slowly_until_a_peer_connects(make_engine, content):
    """A client keeps reading the list throughout: the leecher shows in it as soon as it is
    connected, not at the quiet engine's next 10 s refresh nor once data flows."""
    torrent, seed_dir, _data = content
    env = make_engine({"dir_active": str(seed_dir)})  # the data is there: checked, then seeding
    tick = lambda: env.engine.session.get_settings()["tick_interval"]  # noqa: E731
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    wait_for(lambda: env.engine.snapshot() and tick() == 2000, timeout=15,
             what="the quiet tick while nobody is connected")
    leecher = Peer(download_rate_limit=50_000)  # 1.5 MB: connected for the whole test
    leecher.rate_limit_loopback()
    try:
        leech = leecher.session.add_torrent(_leech_params(torrent, env.tmp / "leech"))
        leecher.connect(leech, env.port)
        wait_for(lambda: leech.status().num_peers == 1, timeout=10, what="the leecher connected")
        env.wait_view(h, lambda v: v.peers_connected == 1, "the leecher in the list", timeout=1.5)
        wait_for(lambda: tick() == 500, timeout=15, what="libtorrent's default tick with a peer")
    finally:
        leecher.close()


def test_a_watched_seed_shows_its_upload_at_most_two_seconds_old(make_engine, content):
    """A seed-only engine with a peer, read by a client every 0.5 s: the list's uploaded bytes
    trail what the leecher has received by no more than two seconds of its transfer."""
    torrent, seed_dir, _data = content
    rate = 100 * 1024  # the seed's limit, so the leecher receives what the seed counts as sent
    env = make_engine({"dir_active": str(seed_dir), "max_ul_rate": rate // 1024, "rate_limit_local_peers": 1})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    leecher = Peer()  # 1.5 MB: about 15 s of transfer
    try:
        leech = leecher.session.add_torrent(_leech_params(torrent, env.tmp / "leech"))
        leecher.connect(leech, env.port)
        wait_for(lambda: leech.status().total_payload_download > 2 * rate, timeout=15, what="data flowing")
        time.sleep(2)  # past the first burst, which libtorrent's rate limiter lets through
        lags = []
        for _ in range(16):  # well past the 5 s of settling after the connection
            received = leech.status().total_payload_download
            lags.append(received - env.engine.snapshot()[h].uploaded)
            time.sleep(0.5)
        assert max(lags) <= 2 * rate + 64 * 1024, f"uploaded trails the leecher by {lags} bytes"
    finally:
        leecher.close()


def _leech_params(torrent: bytes, folder):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(lt.bdecode(torrent))
    params.save_path = str(folder)
    params.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)  # running at once
    return params


def test_transfer_history_counts_a_download_and_survives_a_restart(make_engine, seeder, content):
    torrent, seed_dir, data = content
    env = make_engine()
    h = env.engine.add_bytes(torrent)
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    env.wait_view(h, lambda v: v.progress == 1000, "download")
    wait_for(lambda: env.engine.xfer_history()["transfer_history"]["daily_download"][0] >= 1_500_000,
             what="today's download total")
    env.close()
    from utserver.engine import Engine
    reopened = Engine(env.settings)
    assert reopened.xfer_history()["transfer_history"]["daily_download"][0] >= 1_500_000
    reopened.reset_xfer_history()
    assert reopened.xfer_history()["transfer_history"]["daily_download"][0] == 0


def test_max_ul_rate_seed_limits_each_seeding_torrent_unless_it_has_its_own_limit(make_engine, content):
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir), "max_ul_rate_seed": 100})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    handle = env.engine.table.get(h).handle
    wait_for(lambda: handle.upload_limit() == 100 * 1024, what="the seeding upload limit")
    env.engine.set_prop(h, "ulrate", "20480")
    assert handle.upload_limit() == 20480


@pytest.mark.parametrize("prealloc", [1, 0])
def test_prealloc_space_allocates_every_file_as_the_torrent_is_added(make_engine, content, prealloc):
    torrent, _, data = content  # no peer: nothing is ever written by libtorrent
    env = make_engine({"prealloc_space": prealloc})
    env.engine.add_bytes(torrent)
    for name, body in data.items():
        path = env.tmp / "active" / "album" / name
        if not prealloc:
            assert not path.exists()
            continue
        assert path.stat().st_size == len(body)
        assert path.stat().st_blocks * 512 >= len(body), "allocated, not sparse"
