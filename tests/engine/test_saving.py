"""The periodic resume save writes for moved data only: an idle seed writes nothing (SD cards wear),
a download is saved each interval, an upload-only change once per COUNTERS_SAVE_INTERVAL."""

from __future__ import annotations

import os
from types import SimpleNamespace

import libtorrent as lt

from tests.support.daemon import wait_for
from tests.support.swarm import make_files, make_torrent
from utserver.engine import AddOptions, Engine, alerts, pack, resume, saving
from utserver.engine.saving import PeriodicSaves
from utserver.engine.status import ST_SEEDING


class Handle:
    def __init__(self):
        self.saves = 0

    def is_valid(self):
        return True

    def save_resume_data(self, flags):
        self.saves += 1


class Table:
    """The two reads PeriodicSaves makes of the torrent table, over counters the test sets; each
    change reaches the saver as the pump's status would (its follow policy)."""

    def __init__(self, *hashes):
        self.handles = {h: Handle() for h in hashes}
        self.counters = dict.fromkeys(hashes, (0, 0))
        self.saves = PeriodicSaves(self, saving.Requests())

    def report(self, info_hash, counters):
        self.counters[info_hash] = counters
        self.saves.follow(self.find(info_hash), self.status(info_hash), None)

    def find(self, info_hash):
        handle = self.handles.get(info_hash)
        return None if handle is None else SimpleNamespace(hash=info_hash, handle=handle)

    def status(self, info_hash):
        down, up = self.counters[info_hash]
        return SimpleNamespace(total_payload_download=down, total_payload_upload=up)


def test_only_a_torrent_that_downloaded_since_the_last_look_is_saved():
    table = Table("idle", "busy")
    saves = table.saves
    table.report("idle", (0, 0))
    assert saves() == 0, "a torrent loaded and idle is not written"
    table.report("busy", (16384, 0))
    assert saves() == 1 and table.handles["busy"].saves == 1
    assert saves() == 0, "nothing moved since"
    table.report("busy", (16384, 0))  # a status that shows only its clocks moving
    assert saves() == 0
    table.report("busy", (5000, 0))  # paused and resumed: libtorrent's counter restarted
    assert saves() == 1


def test_an_upload_only_change_waits_for_the_counters_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(saving.time, "monotonic", lambda: clock[0])
    table = Table("seed")
    saves = table.saves
    table.report("seed", (0, 1 << 20))  # its one status: the uploads are not reported again
    assert saves() == 0
    clock[0] += 25
    assert saves() == 0
    clock[0] += saving.COUNTERS_SAVE_INTERVAL
    assert saves() == 1, "the uploads since the last look are kept, then saved"
    clock[0] += 25
    assert saves() == 0


def test_a_removed_torrent_added_again_starts_from_nothing():
    table = Table("again")
    table.report("again", (16384, 0))
    assert table.saves() == 1
    table.saves.forget("again")  # removed: added again, its counters start at 0
    table.report("again", (0, 0))
    assert table.saves() == 0, "the removed torrent's last counters were kept"


def test_an_idle_seed_in_a_real_session_is_not_saved_again(make_engine, content):
    """libtorrent's need_save_resume_data() stays true for a seed (its clocks run): the old rule
    rewrote every seed's resume file each interval."""
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    job = env.engine.table.get(h)
    wait_for(job.handle.need_save_resume_data, timeout=30, what="libtorrent to call the seed changed")
    assert env.engine.progress_saves() == 0


def test_a_save_asked_for_just_before_shutdown_is_written(make_engine, content):
    """The pump stops with a save's alert still queued, and libtorrent, having answered it, no longer
    calls the torrent changed (a download that finished just then lost its last pieces this way)."""
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    job = env.engine.table.get(h)
    env.engine.pump.stop()  # nothing handles the save's alert from here on
    env.engine.set_file_priority(h, [1], 0)  # kept in libtorrent's part of the resume file
    wait_for(lambda: not job.handle.need_save_resume_data(), timeout=10, what="libtorrent to answer the save")
    env.close()
    env.engine = Engine(env.settings)
    env.engine.open()
    assert [f.priority for f in env.engine.files(h)] == [2, 0]


def _count_writes(engine) -> list[str]:
    """The hashes of every resume file the engine writes from now on (a record alone as "record:")."""
    written: list[str] = []
    save, save_record = engine.resume.save, engine.resume.save_record
    engine.resume.save = lambda job, params: (written.append(job.hash), save(job, params))
    engine.resume.save_record = lambda job: (written.append(f"record:{job.hash}"), save_record(job))
    return written


def test_a_new_torrent_without_data_is_written_once_and_a_checked_one_again(make_engine, content, tmp_path):
    """The add writes the whole resume file; libtorrent's first check of a torrent with nothing on
    disk adds nothing to keep, so it is not written again (two fsyncs, a third of an add), while a
    torrent whose data the check found is (its piece map)."""
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(tmp_path / "empty")})
    written = _count_writes(env.engine)
    checked: list[object] = []
    env.engine.subscribe_alert(lt.torrent_checked_alert, checked.append)  # called after the handler
    h = env.engine.add_bytes(torrent)
    wait_for(lambda: checked, timeout=10, what="the check's alert handled")
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="every save asked for written")
    assert written == [h], "rewritten after the check of a torrent with no data"

    # Over its data: the add, then one save for the check's torrent_finished and torrent_checked
    # alerts together, which carries the finish time too (five writes each before: docs/bench.md).
    # A loaded machine may pop the two alerts in two batches: a save each then.
    seeded = make_engine({"dir_active": str(seed_dir)}, name="seeded")
    written = _count_writes(seeded.engine)
    checked.clear()
    seeded.engine.subscribe_alert(lt.torrent_checked_alert, checked.append)
    h = seeded.engine.add_bytes(torrent)
    seeded.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding")
    wait_for(lambda: checked, timeout=10, what="the check's alert handled")
    wait_for(lambda: seeded.engine.saves.outstanding == 0, timeout=10, what="every save asked for written")
    assert written[0] == h and written[1:] in ([h], [h, h]), written
    stored = seeded.engine.resume.load_all()
    assert [job.completed_on > 0 for job, _params in stored] == [True], "the finish time is in the file"


def test_a_failed_save_still_writes_the_record_an_alert_changed(make_engine, content):
    """An alert's change to a job (a finish, a move) is written with the resume save it asks for;
    when libtorrent cannot save, the record is written alone."""
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding")
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="every save asked for written")
    with env.engine.table.edit(h) as job:
        job.label = "changed by an alert"
    alerts.on_resume_data_failed(env.engine, SimpleNamespace(handle=job.handle, message=lambda: "cannot save"))
    assert [job.label for job, _params in env.engine.resume.load_all()] == ["changed by an alert"]


def test_the_shutdown_saves_thousands_of_torrents_with_a_few_syncs(make_engine, monkeypatch):
    """At two fsyncs each, 10,000 torrents to save outlasted the shutdown's 20 s deadline (7,000
    not saved). Grouped, the whole shutdown syncs a few times, and every torrent comes back. A
    small alert queue stands in for 10,000 torrents: the answers to requests beyond it were
    dropped, never heard. Every torrent counts as changed here (fresh ones with nothing are
    skipped since: the next test), as after a long run in which all of them moved data."""
    n = 200
    monkeypatch.setitem(pack.FRUGAL, "alert_queue_size", 40)
    monkeypatch.setattr(saving.Requests, "WINDOW", 20)
    monkeypatch.setattr(saving, "_only_clocks", lambda *_: False)
    env = make_engine({"max_active_downloads": -1, "max_active_torrent": -1})
    hashes = set()
    for i in range(n):
        info = {b"name": f"s{i}".encode(), b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
        hashes.add(env.engine.add_bytes(lt.bencode({b"info": info}), AddOptions(stopped=True)))
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="the adds' saves written")
    written = _count_writes(env.engine)
    fsyncs = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), fsync(fd))[1])
    env.close()
    monkeypatch.setattr(os, "fsync", fsync)
    assert len(written) >= n, f"only {len(written)} of {n} saved at shutdown"
    assert len(fsyncs) <= 10, f"{len(fsyncs)} fsyncs to save {len(written)} torrents"
    folder = env.engine.resume.folder
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp")), "temp files left"
    env.engine = Engine(env.settings)
    env.engine.open()
    assert set(env.engine.snapshot()) == hashes


def test_a_close_rewrites_no_torrent_that_holds_nothing(make_engine):
    """libtorrent calls every new torrent changed; one with no piece and no payload has all it
    has in its add-time file. 100,000 of them did not fit in the shutdown's deadline (20,000:
    7.3 s, all rewritten; now 0.65 s, none). They come back all the same."""
    env = make_engine({"max_active_downloads": -1, "max_active_torrent": -1})
    hashes = set()
    for i in range(60):
        info = {b"name": f"e{i}".encode(), b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
        hashes.add(env.engine.add_bytes(lt.bencode({b"info": info}), AddOptions(stopped=i % 2 == 0)))
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="the adds' saves written")
    written = _count_writes(env.engine)
    env.close()
    assert written == []
    env.engine = Engine(env.settings)
    env.engine.open()
    assert set(env.engine.snapshot()) == hashes


def test_idle_seeds_clocks_go_into_one_file_at_close_and_come_back(make_engine, tmp_path, caplog):
    """A seed that moved no data since its file was written changed only its clocks: the close
    writes them for all such torrents in one file instead of rewriting each one's (100,000 idle
    seeds: 50 s, past the deadline). The next start winds each torrent's clocks forward; an
    unusable file costs only those clocks."""
    root = tmp_path / "seed" / "payload"
    make_files(root, {"data.bin": 16384})
    env = make_engine({"dir_active": str(root.parent)})
    h = env.engine.add_bytes(make_torrent(root, piece_size=16384))
    env.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding from the disk")
    handle = env.engine.table.get(h).handle
    wait_for(lambda: handle.status(0).seeding_duration.total_seconds() >= 3, timeout=10, what="3 s of seeding")
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="the check's save written")
    path = env.engine.resume.path(h)
    before = (path.stat().st_ino, path.stat().st_mtime_ns)
    written = _count_writes(env.engine)
    env.close()
    assert written == [] and (path.stat().st_ino, path.stat().st_mtime_ns) == before

    def reopen():
        env.engine = Engine(env.settings)
        env.engine.open()
        return env.engine.snapshot()[h]

    assert reopen().seeding_time >= 3
    env.close()
    (env.engine.resume.folder / resume.CLOSE).write_bytes(b"d40:torn")
    reopen()
    env.wait_view(h, lambda v: v.state == ST_SEEDING, "seeding after a start without clocks")
    assert "close.dat is unusable" in caplog.text
    (env.engine.resume.folder / resume.CLOSE).unlink()
    (env.engine.resume.folder / resume.CLOSE).mkdir()  # the file cannot be written: the close goes on
    env.close()
    assert "cannot write the torrents' clocks and queue order" in caplog.text
    assert reopen().progress == 1000


def test_grouped_saves_never_undo_a_later_record_or_removal(make_engine):
    """A record rewrite or a removal while the shutdown's saves wait for their commit: the pending
    rename must neither bring back the old record nor a removed torrent's file."""
    env = make_engine()
    info = {b"name": b"g", b"length": 16384, b"piece length": 16384, b"pieces": bytes(20)}
    h = env.engine.add_bytes(lt.bencode({b"info": info}), AddOptions(stopped=True))
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="the add's save written")
    store, job = env.engine.resume, env.engine.table.get(h)
    params = lt.read_resume_data(store.path(h).read_bytes())
    with store.grouped():
        store.save(job, params)
        job.label = "later"
        store.save_record(job)
    loaded = {j.hash: j for j, _ in store.load_all()}
    assert loaded[h].label == "later"
    with store.grouped():
        store.save(job, params)
        store.remove(h)
    assert not store.path(h).exists()
