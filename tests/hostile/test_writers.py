"""Issue 14 item 7: many writers of one state file: no error, never a torn or half-written file."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.hostile.support import get
from utserver import storage

PARALLEL = 40


def test_parallel_resetxferhist_all_succeed_and_the_file_stays_valid(daemon):
    token = daemon.token()
    files = lambda: sorted(p.name for p in daemon.settings_path.iterdir() if p.name.endswith(".tmp"))  # noqa: E731
    stop = threading.Event()
    torn: list[str] = []

    def watch() -> None:
        """Read every state file while the writers run: each read must decode."""
        while not stop.is_set():
            for path in daemon.settings_path.glob("*.dat"):
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    torn.append(f"{path.name} missing")
                    continue
                try:
                    storage.bdecode_dict(data)
                except ValueError as exc:
                    torn.append(f"{path.name}: {exc}")
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(lambda _: get(daemon, f"/gui/?token={token}&action=resetxferhist"), range(PARALLEL)))
    finally:
        stop.set()
        watcher.join(5)
    assert [status for status, _ in answers] == [200] * PARALLEL, answers[:3]
    assert all(b'"error"' not in body for _, body in answers)
    assert not torn, torn[:5]
    assert files() == []  # no temp file left behind
    dats = list(daemon.settings_path.glob("*.dat"))
    assert dats and all(isinstance(storage.bdecode_dict(p.read_bytes()), dict) for p in dats)
    assert "Traceback" not in daemon.log()


def test_threads_saving_one_file_each_leave_a_whole_copy(tmp_path):
    target = tmp_path / "state.dat"
    payloads = [storage.bencode({"writer": n, "pad": "x" * (n * 997)}) for n in range(PARALLEL)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda data: storage.write_atomic(target, data), payloads))
    assert target.read_bytes() in payloads
    assert (tmp_path / "state.dat.old").read_bytes() in payloads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.dat", "state.dat.old"]


def test_a_write_group_replaces_nothing_until_it_commits(tmp_path):
    """A crash before the commit leaves every old file whole; after it, each file is new and its
    previous copy is NAME.old, as write_atomic leaves it."""
    paths = [tmp_path / f"{i}.resume" for i in range(3)]
    for path in paths:
        storage.write_atomic(path, b"old")
    group = storage.WriteGroup()
    for path in paths:
        group.write(path, b"new")
    assert [p.read_bytes() for p in paths] == [b"old"] * 3, "replaced before the commit"
    group.commit()
    assert [p.read_bytes() for p in paths] == [b"new"] * 3
    assert [p.with_name(p.name + ".old").read_bytes() for p in paths] == [b"old"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in paths] + [f"{p.name}.old" for p in paths])
