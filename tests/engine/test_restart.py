"""Closing the engine mid-download and opening a new one on the same settings folder: the job comes
back from fast resume (label, props, progress) with no hash check, and finishes with the right bytes.

(The kill -9 variant with the real daemon process is the web API's: tests/daemon.)
"""

from __future__ import annotations

import time

import libtorrent as lt

from tests.support.daemon import wait_for
from tests.support.swarm import Peer, make_files, make_torrent
from utserver.engine import AddOptions, Engine, pack, restoring
from utserver.engine.status import ST_CHECKED, ST_ERROR, ST_F_SEEDING, ST_SEEDING
from utserver.engine.views import CHECKING

SIZE = 1_500_000
SEED_RATE = 250_000  # bytes/s: about 6 s for the whole file, so the close lands mid-download


def _connect_until_listed(engine: Engine, h: str, handle, port: int) -> None:
    """Dial the engine until its peer list shows us (a paused or just-opened torrent refuses peers)."""
    wait_for(lambda: handle.connect_peer(("127.0.0.1", port)) or engine.peers(h),
             timeout=20, interval=0.5, what="the seeder connected to the engine")


def test_a_job_closed_mid_download_resumes_without_a_recheck(make_engine, tmp_path):
    root = tmp_path / "seed" / "payload"
    data = make_files(root, {"data.bin": SIZE})["data.bin"]
    torrent = make_torrent(root, piece_size=16384)
    seeder = Peer(min_reconnect_time=1)
    try:
        handle = seeder.seed(torrent, root.parent)
        handle.set_upload_limit(SEED_RATE)  # per-torrent limits hold for loopback peers too
        env = make_engine()
        h = env.engine.add_bytes(torrent, AddOptions(label="keep me"))
        for key, value in {"ulrate": "12345", "seed_override": "1", "seed_ratio": "2500",
                           "seed_time": "7200", "pex": "0"}.items():
            env.engine.set_prop(h, key, value)
        props = env.engine.props(h)
        _connect_until_listed(env.engine, h, handle, env.port)
        view = env.wait_view(h, lambda v: v.progress >= 250, "a quarter of the download")
        before = view.progress
        env.close()
        on_disk = (env.tmp / "active" / "payload" / "data.bin")
        assert before < 1000 and on_disk.exists()

        # A new engine on the same settings folder, as after a daemon restart.
        states = []
        engine = Engine(env.settings)
        engine.subscribe_alert(lt.state_changed_alert, lambda a: states.append(a.state))
        env.engine = engine  # the fixture closes this one
        engine.open()
        assert engine.totals()["port"] == env.port, "the reopened engine is not on the configured bind_port"
        views = []

        def sample(check):
            view = engine.snapshot().get(h)
            if view is not None:
                views.append(view)
            return view is not None and check(view)

        wait_for(lambda: sample(lambda v: True), timeout=10, interval=0.01, what="the job to be restored")
        restored = views[0]
        assert restored.label == "keep me" and engine.props(h) == props
        assert restored.added_on == view.added_on
        _connect_until_listed(engine, h, handle, env.port)
        wait_for(lambda: sample(lambda v: v.progress == 1000), timeout=60, interval=0.05,
                 what="the download to finish after the restart")
        assert on_disk.read_bytes() == data

        checking = lt.torrent_status.states.checking_files
        assert checking not in states, f"libtorrent re-checked the data: states {states}"
        assert not [v for v in views if v.status & CHECKING or v.state == ST_CHECKED], "the view showed a check"
        dropped = [v.progress for v in views if v.progress < before]
        assert not dropped, f"progress went back from {before}‰ to {dropped[:5]}‰ after the restart"
        assert engine.snapshot()[h].label == "keep me"

        # Reopened again (and again: the first view races libtorrent's resume check), the finished job
        # is shown finished from its very first view, never checking.
        for _ in range(5):
            engine.close()
            engine = env.engine = Engine(env.settings)
            engine.open()
            first = engine.snapshot()[h]
            assert first.progress == 1000 and not first.status & CHECKING and first.label == "keep me"
        env.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding after the last reopen")
    finally:
        seeder.close()


def test_data_missing_at_start_waits_in_error_and_resumes_when_its_disk_is_back(make_engine, tmp_path,
                                                                                monkeypatch):
    """A USB disk mounted after the daemon started: the torrent shows the error, nothing is
    written into the empty mount point, Start keeps it waiting, and it seeds once the data is back."""
    monkeypatch.setattr("utserver.engine.alerts.MISSING_INTERVAL", 0.5)  # 30 s: the look for the data
    monkeypatch.setattr("utserver.engine.pacing.IDLE_WAIT", 0.5)  # 30 s: the pump's tick while all wait
    usb = tmp_path / "usb"
    root = usb / "torrents" / "payload"
    make_files(root, {"data.bin": SIZE})
    torrent = make_torrent(root, piece_size=16384)
    env = make_engine({"dir_active": str(usb / "torrents")})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding from the disk")
    env.close()
    usb.rename(tmp_path / "usb-unplugged")
    usb.mkdir()  # the empty mount point

    env.engine = Engine(env.settings)
    env.engine.open()
    view = env.wait_view(h, lambda v: v.state == ST_ERROR, "the error state")
    assert view.status_message == f"Error: the data is missing from {usb / 'torrents'}: is its disk mounted?"
    env.engine.start(h)
    env.engine.forcestart(h)
    time.sleep(2)
    assert env.view(h).state == ST_ERROR and list(usb.iterdir()) == [], "wrote into the empty mount point"

    usb.rmdir()
    (tmp_path / "usb-unplugged").rename(usb)  # mounted
    try:
        env.wait_view(h, lambda v: v.state in (ST_SEEDING, ST_F_SEEDING) and v.progress == 1000,
                      "seeding again", timeout=20)
    except AssertionError:
        raise AssertionError(f"{env.view(h)}") from None


class _CountedViews:
    """Stands in for TorrentTable._published: counts how often a new mapping is published."""

    def __init__(self):
        self.sets = 0

    def __get__(self, table, owner=None):
        return self if table is None else table.__dict__["_published"]

    def __set__(self, table, value):
        self.sets += 1
        table.__dict__["_published"] = value


def _stopped_torrent(name):
    info = {b"name": name.encode(), b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
    return lt.bencode({b"info": info})


def test_views_are_published_once_per_read_not_once_per_torrent(make_engine, monkeypatch):
    """Each published mapping is a copy of every view: one per restored torrent made a start with
    100,000 torrents quadratic (minutes), and one per add made each add O(n)."""
    n = 40
    env = make_engine({"max_active_downloads": -1, "max_active_torrent": -1})
    hashes = {env.engine.add_bytes(_stopped_torrent(f"r{i}"), AddOptions(stopped=True)) for i in range(n)}
    env.close()

    counted = _CountedViews()
    from utserver.engine.table import TorrentTable
    monkeypatch.setattr(TorrentTable, "_published", counted, raising=False)
    engine = Engine(env.settings)
    engine.open()
    try:
        published_by_open = counted.sets
        assert set(engine.snapshot()) == hashes
        added = {engine.add_bytes(_stopped_torrent(f"a{i}"), AddOptions(stopped=True)) for i in range(n)}
        published_by_adds = counted.sets
        assert set(engine.snapshot()) == hashes | added
        assert counted.sets == published_by_adds + 1
    finally:
        engine.close()
    assert published_by_open <= 3, f"{published_by_open} mappings published to restore {n} torrents"
    assert published_by_adds - published_by_open <= 4, f"{published_by_adds - published_by_open} for {n} adds"


def test_a_restart_rewrites_no_resume_file(make_engine, tmp_path):
    """libtorrent checks each restored torrent's resume data, finding what was just loaded:
    saving it again cost two fsyncs a torrent, 100,000 files rewritten at every start. Nor does
    the close after a short run rewrite the seeds that moved no data."""
    root = tmp_path / "seed" / "payload"
    make_files(root, {"data.bin": SIZE})
    env = make_engine({"dir_active": str(root.parent)})
    seeding = env.engine.add_bytes(make_torrent(root, piece_size=16384))
    env.wait_view(seeding, lambda v: v.state == ST_SEEDING, "seeding from the disk")
    hashes = {seeding}
    for i in range(4):
        info = {b"name": f"r{i}".encode(), b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
        hashes.add(env.engine.add_bytes(lt.bencode({b"info": info}), AddOptions(stopped=i % 2 == 0)))
    env.close()
    files = {h: env.engine.resume.path(h) for h in hashes}
    written = {h: (path.stat().st_ino, path.stat().st_mtime_ns) for h, path in files.items()}

    engine = env.engine = Engine(env.settings)
    asked, checked = [], []
    engine.saves.ask = lambda handle, ask=engine.saves.ask: (asked.append(handle), ask(handle))
    engine.subscribe_alert(lt.torrent_checked_alert, checked.append)
    engine.open()
    wait_for(lambda: len(checked) == len(hashes), timeout=30, what="libtorrent's check of each resume")
    assert set(engine.snapshot()) == hashes and engine.snapshot()[seeding].progress == 1000
    assert not asked, f"{len(asked)} of {len(hashes)} restored torrents' resume data saved again"
    now = {h: (path.stat().st_ino, path.stat().st_mtime_ns) for h, path in files.items()}
    assert now == written
    engine.close()  # libtorrent calls every restored torrent changed: a quick restart's seeds are not
    assert (files[seeding].stat().st_ino, files[seeding].stat().st_mtime_ns) == written[seeding]


def test_a_restore_whose_answers_overflow_the_alert_queue_still_restores_every_torrent(make_engine, monkeypatch):
    """The adds go to libtorrent in a window so their answers fit its alert queue; were some lost
    anyway, the session is asked for those torrents rather than waiting for them forever."""
    n = 60
    env = make_engine({"max_active_downloads": -1, "max_active_torrent": -1})
    hashes = set()
    for i in range(n):
        info = {b"name": f"q{i}".encode(), b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
        hashes.add(env.engine.add_bytes(lt.bencode({b"info": info}), AddOptions(stopped=i % 3 == 0)))
    env.close()

    monkeypatch.setitem(pack.FRUGAL, "alert_queue_size", 10)
    monkeypatch.setattr(restoring, "WINDOW", 1000)  # every answer at once: most are dropped
    monkeypatch.setattr(restoring, "PATIENCE", 1.0)
    dropped = []
    engine = env.engine = Engine(env.settings)
    engine.subscribe_alert(lt.alerts_dropped_alert, dropped.append)
    engine.open()
    engine.session.apply_settings({"alert_queue_size": 1000})  # for the close's saves
    assert dropped, "the test's alert queue did not overflow"
    assert set(engine.snapshot()) == hashes
    assert all(engine.table.get(h).handle.is_valid() for h in hashes)


def _small_torrent(name: str) -> bytes:
    return lt.bencode({b"info": {b"name": name.encode(), b"length": 16384, b"piece length": 16384,
                                 b"pieces": bytes(20)}})


def test_resume_files_of_the_earlier_form_restore_and_take_the_new_form(make_engine):
    """Before 2026-12-07 the record was a dictionary under "utserver", after libtorrent's keys.
    Such a file restores its torrent, and the next save writes today's form (record first)."""
    env = make_engine()
    h = env.engine.add_bytes(_small_torrent("old-form"), AddOptions(label="kept", stopped=True))
    env.close()
    path = env.engine.resume.path(h)
    entry = lt.bdecode(path.read_bytes())  # today: b"_utserver" holds the bencoded record
    entry[b"utserver"] = lt.bdecode(entry.pop(b"_utserver"))
    path.write_bytes(lt.bencode(entry))

    engine = env.engine = Engine(env.settings)
    engine.open()
    assert engine.snapshot()[h].label == "kept"
    engine.set_prop(h, "label", "new")
    assert path.read_bytes().startswith(b"d9:_utserver")
    assert b"8:utserver" not in path.read_bytes()
    engine.close()
    engine = env.engine = Engine(env.settings)
    engine.open()
    assert engine.snapshot()[h].label == "new"


def test_a_torn_resume_file_falls_back_to_its_previous_copy(make_engine):
    """A record length that runs past the end (a torn write) is corrupt, not trusted: the torrent
    comes back from the .old copy, and one with no usable copy is skipped, the rest restored."""
    env = make_engine()
    kept = env.engine.add_bytes(_small_torrent("kept"), AddOptions(label="from-old", stopped=True))
    lost = env.engine.add_bytes(_small_torrent("lost"), AddOptions(stopped=True))
    other = env.engine.add_bytes(_small_torrent("other"), AddOptions(stopped=True))
    env.close()
    store = env.engine.resume
    good = store.path(kept).read_bytes()
    store.path(kept).with_name(store.path(kept).name + ".old").write_bytes(good)
    for h in (kept, lost):
        store.path(h).write_bytes(b"d9:_utserver99999:d4:name")

    engine = env.engine = Engine(env.settings)
    engine.open()
    assert set(engine.snapshot()) == {kept, other}
    assert engine.snapshot()[kept].label == "from-old"


def test_each_mode_comes_back_with_its_flags_after_a_restart(make_engine):
    """A restore adds every torrent paused and unmanaged, then starts and queues them together
    (restoring.Restore.add): each comes back running, queued, stopped, paused or forced as it
    was closed, in libtorrent and in the list."""
    env = make_engine({"max_active_torrent": 2, "max_active_downloads": 2})
    hashes = [env.engine.add_bytes(_small_torrent(f"m{i}")) for i in range(6)]
    stopped, paused, forced = hashes[3:]
    env.engine.stop(stopped)
    env.engine.pause(paused)
    env.engine.forcestart(forced)

    def flags(engine: Engine) -> list[tuple[bool, bool]]:
        return [(st.paused, st.auto_managed) for st in (engine.table.get(h).handle.status(0) for h in hashes)]

    # two slots: two of the queued three run and one waits; the others are not managed
    closed = [(False, True), (False, True), (True, True), (True, False), (True, False), (False, False)]
    wait_for(lambda: flags(env.engine) == closed, timeout=10, what="the modes before the close")
    env.close()
    shown = {h: v.status for h, v in env.engine.table.views.items()}

    engine = env.engine = Engine(env.settings)
    engine.open()
    now = flags(engine)
    # which two of the queued three run follows libtorrent's queue order, not the test's
    assert sorted(now[:3]) == sorted(closed[:3]) and now[3:] == closed[3:], now
    views = engine.snapshot()
    assert sorted(views[h].status for h in hashes[:3]) == sorted(shown[h] for h in hashes[:3])
    assert [views[h].status for h in hashes[3:]] == [shown[h] for h in hashes[3:]]


def test_the_queue_order_survives_a_restart(make_engine):
    """libtorrent's resume data holds no queue position, and the files are read by name: the
    close writes the queue's order and the restore adds in it, so the queue comes back as the
    user left it, not in hash order."""
    env = make_engine({"max_active_torrent": 1, "max_active_downloads": 1})
    hashes = sorted(env.engine.add_bytes(_small_torrent(f"o{i}")) for i in range(5))
    for h in hashes:  # each to the top: the queue ends in the reverse of hash order
        env.engine.queue(h, "top")

    def order(engine: Engine) -> list[str]:
        return sorted(hashes, key=lambda h: engine.table.get(h).handle.status(0).queue_position)

    wait_for(lambda: order(env.engine) == hashes[::-1], timeout=10, what="the queue reordered")
    env.close()
    engine = env.engine = Engine(env.settings)
    engine.open()
    assert order(engine) == hashes[::-1]
    assert [engine.snapshot()[h].queue_order for h in hashes[::-1]] == [1, 2, 3, 4, 5]
