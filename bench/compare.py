"""A/B of candidate tunings: utserver as shipped beside utserver run through bench/variant.py.

    .venv/bin/python bench/compare.py --variants nopause "threads2,arena1" --workloads idle,transfer \
        --size 256M --repeat 3 [--daemons lt] [harness options after --]

Each variant is one comma-separated knob list of bench/variant.py; runs are interleaved by
the harness. Prints its tables (idle rows carry wakeups_per_s and disk writes too).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import adapter  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", required=True)
    ap.add_argument("--daemons", default="", help="extra harness daemons, e.g. lt,qbittorrent")
    ap.add_argument("--workloads", default="idle,transfer")
    ap.add_argument("rest", nargs=argparse.REMAINDER, help="more harness options (after --)")
    a, unknown = ap.parse_known_args()
    names = ["utserver"] + [adapter.variant(v) for v in a.variants]
    extra = [d for d in a.daemons.split(",") if d]
    sys.argv = ["harness", "--daemons", ",".join(names + extra), "--workloads", a.workloads,
                "--workdir", "/tmp/utserver-bench", *unknown, *[x for x in a.rest if x != "--"]]
    if "--json" not in sys.argv:
        sys.argv += ["--json", "/tmp/utserver-bench/compare.json"]
    rc = adapter.pb.main()
    res = json.loads(Path(sys.argv[sys.argv.index("--json") + 1]).read_text())
    if res["idle"]:
        print("\n== idle window: wakeups and storage writes ==")
        print(adapter.pb.table(res["idle"], ["daemon", "rss_mib", "rss_anon_mib", "threads", "wakeups_per_s",
                                             "busiest_thread_wakeups_per_s", "disk_write_bytes"]))
    if adapter.POLL_RESULTS:
        print(adapter.POLL_RESULTS)
    return rc


if __name__ == "__main__":
    sys.exit(main())
