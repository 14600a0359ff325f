"""Run utserver with candidate tunings applied in-process, to measure them before proposing them.

    UTB_VARIANT=threads2,tick.exchanging=1000 python bench/variant.py -configfile ... -settingspath ...

Nothing here changes utserver's files: each knob patches a module constant or the libtorrent
settings pack before utserver's own main() runs. Knobs (comma-separated in UTB_VARIANT):
  arena1       glibc mallopt(M_ARENA_MAX, 1): one malloc arena for every thread
  arena2       the same with 2 arenas
  threadsN     cheroot worker threads (utserver.web.server.THREADS, 8 by default) -> N
  tick.ROW=MS  libtorrent tick_interval for a row of utserver.engine.pack.TICK_MS (exchanging,
               waiting, quiet), e.g. tick.exchanging=1000
  aioN         libtorrent aio_threads -> N (utserver's frugal preset: 4)
  diskqN       max_queued_disk_bytes -> N MiB (frugal preset: 2)
  nopause      a queued torrent with a free slot is added running (auto_managed, not paused),
               so it does not wait for libtorrent's next auto-manage pass (about 1 s)
  lt.NAME=INT  any integer libtorrent setting in the frugal preset, e.g. lt.recv_socket_buffer_size=0
  diskNAME     libtorrent 2.1's disk back-end: diskposix (utserver's choice), diskpread, diskmmap
  trimthresholdK  glibc mallopt(M_TRIM_THRESHOLD, K KiB): freed heap above K is returned to the OS
  trim         malloc_trim(0) once, 3 s after start, and after each torrent finishes
  profrestore  cProfile of Engine._restore -> /tmp/utserver-bench/restore-profile.txt
  dumpmods     write sys.modules to /tmp/utserver-bench/modules.txt 5 s after start
  expireN      cheroot expiration_interval -> N s (how often its selector wakes, 0.5 by default)
  tracemalloc  trace Python allocations; each SIGUSR1 writes a snapshot to $UTB_TRACE_PREFIX<n>.snap
               (bench/memory_per_torrent.py); $UTB_TRACE_FRAMES frames per trace (1), more to find
               who allocates, e.g. compare_to(..., "traceback")
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KNOBS = [k for k in os.environ.get("UTB_VARIANT", "").split(",") if k]
M_ARENA_MAX = -8
M_TRIM_THRESHOLD = -1


def _libc():
    return ctypes.CDLL("libc.so.6")


def apply() -> None:
    from utserver.engine import pack
    for knob in KNOBS:
        if knob.startswith("arena"):
            _libc().mallopt(M_ARENA_MAX, int(knob[5:]))
        elif m := re.fullmatch(r"threads(\d+)", knob):
            import utserver.web.server as web_server
            web_server.THREADS = int(m.group(1))
        elif m := re.fullmatch(r"tick\.(\w+)=(\d+)", knob):
            pack.TICK_MS[m.group(1)] = int(m.group(2))
        elif m := re.fullmatch(r"aio(\d+)", knob):
            pack.FRUGAL["aio_threads"] = int(m.group(1))
        elif m := re.fullmatch(r"diskq(\d+)", knob):
            pack.FRUGAL["max_queued_disk_bytes"] = int(m.group(1)) << 20
        elif knob == "nopause":
            _patch_nopause()
        elif knob == "dumpmods":  # write the loaded modules and top allocations 5 s after start
            threading.Timer(5.0, _dump).start()
        elif m := re.fullmatch(r"lt\.(\w+)=(-?\d+)", knob):  # any integer libtorrent setting
            pack.FRUGAL[m.group(1)] = int(m.group(2))
        elif knob == "profrestore":
            _patch_profile_restore()
        elif m := re.fullmatch(r"disk(posix|pread|mmap)", knob):
            _patch_disk_io(f"{m.group(1)}_disk_io_constructor")
        elif m := re.fullmatch(r"trimthreshold(\d+)", knob):
            _libc().mallopt(M_TRIM_THRESHOLD, int(m.group(1)) << 10)
        elif knob == "trim":
            _patch_trim()
        elif m := re.fullmatch(r"expire([\d.]+)", knob):
            from cheroot import server as cheroot_server
            cheroot_server.HTTPServer.expiration_interval = float(m.group(1))
        elif knob == "tracemalloc":
            _snapshots_on_sigusr1()
        else:
            raise SystemExit(f"unknown UTB_VARIANT knob {knob!r}")


def _patch_nopause() -> None:
    from utserver.engine import intake
    from utserver.engine.jobs import QUEUED
    original = intake.Intake._add_to_session

    def add(self, job, params, new, has_room=None):
        original(self, job, params, new, has_room)
        if new and job.mode == QUEUED and not job.paused:
            job.handle.resume()  # auto_managed stays set: the queue may still pause it
    intake.Intake._add_to_session = add


def _patch_disk_io(constructor: str) -> None:
    """Engine.open creates lt.session(pack, flags); give it session_params with another disk back-end
    (session_params takes no flags: the default plugins, ut_pex included, are always added)."""
    import types

    import libtorrent as lt

    from utserver.engine import engine as engine_mod

    def session(settings, flags=None):
        params = settings if isinstance(settings, lt.session_params) else lt.session_params(settings)
        params.disk_io_constructor = constructor
        return lt.session(params)
    proxy = types.ModuleType("libtorrent_proxy")
    proxy.__dict__.update(lt.__dict__)
    proxy.session = session
    engine_mod.lt = proxy


def _patch_profile_restore() -> None:
    import cProfile
    import pstats
    import time

    from utserver.engine import intake
    original = intake.Intake.restore

    def restore(self):
        prof, t = cProfile.Profile(), time.perf_counter()
        prof.runcall(original, self)
        out = Path("/tmp/utserver-bench/restore-profile.txt")
        with out.open("w") as f:
            f.write(f"restore of {len(self.engine.table)} torrents: {time.perf_counter() - t:.3f} s (under cProfile)\n")
            pstats.Stats(prof, stream=f).sort_stats("tottime").print_stats(18)
    intake.Intake.restore = restore


def _dump() -> None:
    mods = sorted(sys.modules)
    Path("/tmp/utserver-bench/modules.txt").write_text(f"{len(mods)} modules\n" + "\n".join(mods) + "\n")


def _snapshots_on_sigusr1() -> None:
    import signal
    import tracemalloc
    tracemalloc.start(int(os.environ.get("UTB_TRACE_FRAMES", "1")))
    written = [0]

    def dump(_signum, _frame) -> None:
        written[0] += 1
        tracemalloc.take_snapshot().dump(f"{os.environ['UTB_TRACE_PREFIX']}{written[0]}.snap")
    signal.signal(signal.SIGUSR1, dump)


def _patch_trim() -> None:
    from utserver.engine import pump
    libc = _libc()
    threading.Timer(3.0, lambda: libc.malloc_trim(0)).start()
    original = pump.AlertPump.on_finished

    def on_finished(self, alert):
        original(self, alert)
        libc.malloc_trim(0)
    pump.AlertPump.on_finished = on_finished


if __name__ == "__main__":
    apply()
    from utserver.cli import main
    raise SystemExit(main(sys.argv[1:]))
