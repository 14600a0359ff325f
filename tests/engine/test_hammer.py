"""Commands from 8 threads on 200 torrents while the pump runs: no exception, a consistent table."""

import random
import threading
import time

from tests.support.daemon import wait_for
from tests.support.swarm import make_files, make_torrent
from utserver.engine import FORCED, QUEUED, STOPPED, AddOptions

THREADS, TORRENTS, SECONDS = 8, 200, 20


def _commands(engine, hashes):
    return [
        lambda h: engine.start(h), lambda h: engine.stop(h), lambda h: engine.forcestart(h),
        lambda h: engine.pause(h), lambda h: engine.unpause(h),
        lambda h: engine.set_prop(h, "label", random.choice(["tv", "films", ""])),
        lambda h: engine.set_prop(h, "ulrate", str(random.randint(0, 100_000))),
        lambda h: engine.set_tags(h, random.sample(["a", "b", "c"], 2)),
        lambda h: engine.set_sequential(h, random.random() < 0.5),
        lambda h: engine.queue(h, random.choice(["up", "down", "top", "bottom"])),
        lambda h: engine.snapshot(), lambda h: engine.files(h), lambda h: engine.props(h),
        lambda h: engine.trackers(h),
    ]


def test_eight_threads_of_commands_leave_a_consistent_table(make_engine, tmp_path):
    env = make_engine({"max_active_torrent": 20, "max_active_downloads": 10})
    engine = env.engine
    hashes = []
    for i in range(TORRENTS):
        root = tmp_path / "src" / f"t{i}"
        make_files(root, {"f.bin": 16384 + i})
        hashes.append(engine.add_bytes(make_torrent(root), AddOptions(stopped=i % 2 == 0)))
    wait_for(lambda: len(engine.snapshot()) == TORRENTS, what="every torrent listed")
    errors: list[BaseException] = []
    deadline = time.monotonic() + SECONDS

    def hammer(seed: int) -> None:
        rng = random.Random(seed)
        commands = _commands(engine, hashes)
        while time.monotonic() < deadline:
            try:
                rng.choice(commands)(rng.choice(hashes))
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(exc)
                return

    threads = [threading.Thread(target=hammer, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 10)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for h in hashes[:10]:
        engine.stop(h)
    wait_for(lambda: all(engine.snapshot()[h].mode == STOPPED and engine.snapshot()[h].state in (11, 13)
                         for h in hashes[:10]), what="the last command shown")
    views = engine.snapshot()
    assert set(views) == set(hashes)
    for h, view in views.items():
        job = engine.table.get(h)
        assert view.mode == job.mode in (STOPPED, QUEUED, FORCED)
        assert view.label == job.label and view.tags == job.tags
    engine.close()  # every record is saved: a restart restores the same jobs
    reopened = make_engine_again(env)
    assert {h: (v.mode, v.label) for h, v in reopened.snapshot().items()} == \
        {h: (v.mode, v.label) for h, v in views.items()}
    reopened.close()


def make_engine_again(env):
    from utserver.engine import Engine
    engine = Engine(env.settings)
    engine.open()
    wait_for(lambda: len(engine.snapshot()) == TORRENTS, what="every torrent restored")
    return engine
