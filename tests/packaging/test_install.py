"""`make install`, the staging step both packages use: a launcher that runs the daemon from
PREFIX/share/utserver, webui.zip beside the code, and the documented conf with the packaged
values set once each."""
from __future__ import annotations

import re

from .pkgtools import REPO, SYS_ENV, run

PACKAGED = REPO / "etc/utserver.packaged.conf"


def test_make_install_gives_a_working_launcher_and_the_packaged_conf(tmp_path):
    prefix, etc = tmp_path / "usr", tmp_path / "etc"
    run(["make", "webui", "install", f"PREFIX={prefix}", f"SYSCONFDIR={etc}", f"STATEDIR={tmp_path}/state"])
    assert (prefix / "share/utserver/webui.zip").is_file()
    usage = run([str(prefix / "bin/utserver"), "-usage"], env=SYS_ENV).stdout
    assert "-settingspath" in usage

    conf = (etc / "utserver/utserver.conf").read_text()
    packaged = [line.split(":")[0] for line in PACKAGED.read_text().splitlines()
                if line and not line.startswith("#")]
    for key in packaged:
        assert len(re.findall(rf"^{re.escape(key)}\s*:", conf, re.M)) == 1, f"{key} must be set exactly once"
    assert re.search(rf"^ut_webui_dir: {prefix}/share/utserver$", conf, re.M)
    assert re.search(rf"^dir_root: {tmp_path}/state$", conf, re.M)
    # Everything documented in etc/utserver.conf is still there.
    documented = (REPO / "etc/utserver.conf").read_text().splitlines()
    assert sum(line in conf.splitlines() for line in documented) >= len(documented) - len(packaged)
