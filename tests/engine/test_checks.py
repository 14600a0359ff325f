"""File checks are queued, as the manual promises: one torrent checks at a time (libtorrent's
active_checking), the others wait shown as queued for checking, and each ends in its own mode."""

import hashlib
import threading
import time

import libtorrent as lt

from tests.support.daemon import wait_for
from tests.support.swarm import make_files, make_torrent
from utserver.engine import AddOptions, State, pack
from utserver.engine.views import START_AFTER_CHECK

SIZE = 16 << 20
ZEROS, ZERO_PIECE = 768 << 20, 4 << 20


def zeros_torrent(path):
    """A sparse file of zeros and its torrent, hashed once per piece size: its check takes a few
    tenths of a second (the others' 16 MiB a few hundredths), long enough to see the others wait."""
    with open(path, "wb") as f:
        f.truncate(ZEROS)
    piece = hashlib.sha1(bytes(ZERO_PIECE)).digest()
    info = {b"name": path.name.encode(), b"length": ZEROS, b"piece length": ZERO_PIECE,
            b"pieces": piece * (ZEROS // ZERO_PIECE)}
    return lt.bencode({b"info": info})


def three_with_data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    torrents = [zeros_torrent(folder / "a.bin")]
    for name in ("b.bin", "c.bin"):
        make_files(folder, {name: SIZE})
        torrents.append(make_torrent(folder / name, piece_size=1 << 20))
    return folder, torrents


def watch_checks(env, hashes, done, timeout=30.0):
    """Poll the list until done(views) after a check was seen; returns (most checking at once,
    most waiting at once, the views seen waiting). A check of 16 MiB in the page cache can
    come and go between two refreshes of the list: the waiting ones always show."""
    most, waiting, queued, seen = 0, 0, [], False
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        views = [env.engine.snapshot()[h] for h in hashes]
        checking = [v for v in views if v.state == State.CHECKED]
        most = max(most, sum(not v.check_queued for v in checking))
        queued += [v for v in checking if v.check_queued]
        waiting = max(waiting, sum(v.check_queued for v in checking))
        seen = seen or bool(checking)
        if seen and done(views):
            return most, waiting, queued
        time.sleep(0.02)
    raise AssertionError(f"not done in {timeout} s: {[(v.state, v.status_message) for v in views]}")


def test_torrents_added_over_their_data_check_one_at_a_time(make_engine, tmp_path):
    folder, torrents = three_with_data(tmp_path)
    env = make_engine({"dir_active": str(folder)})
    hashes = [env.engine.add_bytes(t) for t in torrents]
    most, waiting, queued = watch_checks(env, hashes, lambda vs: all(v.state == State.SEEDING for v in vs))
    assert most <= 1, "more than one torrent checked at once"
    assert waiting >= 2, "the torrents were not seen waiting for their check"
    assert {v.status_message for v in queued} == {"Queued for checking"}
    assert all(v.status & START_AFTER_CHECK for v in queued)
    assert [env.view(h).progress for h in hashes] == [1000] * 3


def test_a_recheck_queues_and_each_torrent_ends_in_its_mode(make_engine, tmp_path):
    folder, torrents = three_with_data(tmp_path)
    env = make_engine({"dir_active": str(folder)})
    forced = env.engine.add_bytes(torrents[0], AddOptions(forced=True))
    queued_one = env.engine.add_bytes(torrents[1])
    stopped = env.engine.add_bytes(torrents[2])
    hashes = [forced, queued_one, stopped]
    wait_for(lambda: all(env.view(h).progress == 1000 for h in hashes), timeout=30, what="first checks")
    env.engine.stop(stopped)
    for h in hashes:
        env.engine.recheck(h)
    ended = {forced: State.F_SEEDING, queued_one: State.SEEDING, stopped: State.FINISHED}
    most, waiting, _ = watch_checks(env, hashes, lambda vs: all(
        v.state == ended[v.hash] and v.progress == 1000 for v in vs))
    assert most <= 1 and waiting >= 2
    time.sleep(2)  # the stopped one stays stopped, the others keep running
    assert {h: env.view(h).state for h in hashes} == ended


def test_a_torrent_stopped_while_waiting_for_its_check_reads_stopped_and_checks_when_started(make_engine, tmp_path):
    folder, torrents = three_with_data(tmp_path)
    env = make_engine({"dir_active": str(folder)})
    hashes = [env.engine.add_bytes(t) for t in torrents]
    env.engine.stop(hashes[2])  # the last one waits for the two before it
    env.wait_view(hashes[2], lambda v: v.state == State.STOPPED and not v.check_queued, "stopped, not checking")
    env.wait_view(hashes[1], lambda v: v.state == State.SEEDING, "the others checked", timeout=30)
    assert env.view(hashes[2]).state == State.STOPPED
    env.engine.start(hashes[2])
    env.wait_view(hashes[2], lambda v: v.state == State.SEEDING and v.progress == 1000, "checked once started",
                  timeout=30)


def small_ones_with_data(tmp_path, n):
    folder = tmp_path / "data"
    torrents = []
    for i in range(n):
        make_files(folder / f"t{i}", {"data.bin": 64 << 10})
        torrents.append(make_torrent(folder / f"t{i}", piece_size=16 << 10))
    return folder, torrents


def test_each_check_starts_as_the_one_before_ends(make_engine, tmp_path):
    """Cross-seeding adds many torrents over their data. libtorrent alone starts the next waiting
    check only at its queue pass, one every second or two: these 30 took a minute. Removing one
    that waits does not stall the rest."""
    folder, torrents = small_ones_with_data(tmp_path, 30)
    env = make_engine({"dir_active": str(folder)})
    hashes = [env.engine.add_bytes(t) for t in torrents]
    env.engine.remove(hashes.pop(15))
    wait_for(lambda: all(env.view(h).progress == 1000 for h in hashes), timeout=15,
             what="all 29 checked well inside libtorrent's own pace (one per 1-2 s)")


def test_checks_whose_alerts_overflow_the_queue_still_finish_and_show(make_engine, tmp_path, monkeypatch):
    """Checks one after the other post alerts faster than a busy engine reads them: libtorrent
    drops what its queue cannot hold (10,000 torrents over their data: the list stuck at 9,263
    checked, with libtorrent seeding all). The engine reads every status again, and finishes
    what the dropped torrent_finished alerts would have: here, moving each to dir_completed.
    Resume saves whose answers were dropped are asked again."""
    monkeypatch.setitem(pack.FRUGAL, "alert_queue_size", 10)
    folder, torrents = small_ones_with_data(tmp_path, 40)
    completed = tmp_path / "completed"
    env = make_engine({"dir_active": str(folder), "dir_completed": str(completed),
                       "max_active_downloads": -1, "max_active_torrent": -1})
    dropped = []
    env.engine.subscribe_alert(lt.alerts_dropped_alert, lambda alert: dropped.append(alert.message()))
    hashes = [env.engine.add_bytes(t) for t in torrents]
    env.engine.session.apply_settings({"alert_queue_size": 1000})  # the burst is over: at a normal pace again
    wait_for(lambda: all(env.view(h).state == State.SEEDING for h in hashes), timeout=30,
             what="every torrent listed as seeding")
    wait_for(lambda: len(list(completed.glob("t*/data.bin"))) == 40, timeout=30, what="all moved to dir_completed")
    assert any("torrent_finished" in text for text in dropped), f"no finish was dropped: {dropped}"
    # the saves whose answers were dropped are asked again, not waited for until the close's deadline
    wait_for(lambda: env.engine.saves.outstanding == 0, timeout=10, what="every save answered")



class _LateStatus:
    """A torrent's handle whose next status(), called from the test's thread, is read at once
    but handed back only once *shown*() (the pump has shown a newer one)."""

    def __init__(self, handle, shown):
        self._handle, self._shown, self.early = handle, shown, None

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def status(self, flags=0xFFFFFFFF):
        if self.early is not None or threading.current_thread() is not threading.main_thread():
            return self._handle.status(flags)
        # a read taken while the check itself runs: libtorrent passes through checking_resume_data first
        self.early = wait_for(lambda: _while_checking(self._handle.status(flags)), timeout=20, interval=0.01,
                              what="the check running")
        wait_for(self._shown, timeout=20, what="the pump showing the check's end")
        return self.early


def _while_checking(st):
    return st if st.state == lt.torrent_status.checking_files else None


def test_a_status_read_while_a_recheck_runs_does_not_hide_its_end(make_engine, tmp_path):
    """A recheck reads the torrent's status so that a poll right after sees the check. Were that
    read shown after the pump's newer one, the list said "checking" for good: libtorrent
    reports a torrent only when it changes again."""
    folder = tmp_path / "data"
    folder.mkdir()
    env = make_engine({"dir_active": str(folder)})
    h = env.engine.add_bytes(zeros_torrent(folder / "z.bin"))
    env.wait_view(h, lambda v: v.state == State.SEEDING, "seeding from the disk")
    job = env.engine.table.get(h)
    # the statuses held when the pump heard the check end: a seeding one shown after them is the
    # end's (one from before the check starts, still seeding, came first on a busy machine)
    at_end: list = []
    env.engine.subscribe_alert(lt.torrent_checked_alert, lambda alert: at_end.append(env.engine.table.status(h)))

    def shown():
        env.engine.wake()  # the pump's next refresh now, not at its idle pace
        st = env.engine.table.status(h)
        return at_end and all(st is not end for end in at_end) and st.state == lt.torrent_status.seeding

    late = job.handle = _LateStatus(job.handle, shown)
    env.engine.recheck(h)
    assert late.early.state == lt.torrent_status.checking_files
    time.sleep(1.5)  # the pump's refreshes meanwhile: libtorrent has nothing new to tell them
    assert env.engine.snapshot()[h].state == State.SEEDING
