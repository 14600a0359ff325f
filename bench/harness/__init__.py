"""utserver's side-by-side benchmark harness: other daemons, a bare libtorrent session and
utserver on loopback, measured the same way (docs/bench.md says what and how).

Modules: procs (processes and /proc), swarm (torrents, tracker, seeder), daemons (one adapter
per daemon), workloads (idle, many, transfer, and the command line). Needs only the standard
library, libtorrent, and the daemons from Debian.
"""

from .daemons import ADAPTERS, Daemon, UTorrentAPI, new_daemon
from .procs import (
    kill_all_children,
    kill_proc,
    log,
    mem_report,
    proc_descendants,
    read_text,
    spawn,
    table,
    tree_snapshot,
    wait_until,
)
from .swarm import Tracker, gen_many
from .workloads import WORKLOADS, main

__all__ = ["ADAPTERS", "WORKLOADS", "Daemon", "Tracker", "UTorrentAPI", "gen_many", "kill_all_children", "kill_proc",
           "log", "main", "mem_report", "new_daemon", "proc_descendants", "read_text", "spawn", "table",
           "tree_snapshot", "wait_until"]
