"""Init, maintainer and cross-build scripts pass ShellCheck; the systemd unit is well formed."""
from __future__ import annotations

import pytest

from .pkgtools import REPO, SYS_ENV, run

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

# (script, extra ShellCheck arguments): why each exclusion is there.
SCRIPTS = [
    # SC1091: /lib/lsb/init-functions and /etc/default/utserver are not on this host;
    # SC2086: $DAEMON_ARGS is split into words on purpose.
    ("init.d/utserver.sysvinit", ["-e", "SC1091,SC2086"]),
    # The procd script runs under /etc/rc.common in ash: START/STOP/USE_PROCD are read by
    # rc.common (SC2034), `local` is supported (SC3043).
    ("init.d/utserver.procd", ["-s", "sh", "-e", "SC2034,SC3043"]),
    ("debian/utserver.postinst", []),
    ("debian/utserver.postrm", []),
    ("cross-build/cross-test.sh", []),
    ("cross-build/smoke.sh", []),
    ("cross-build/utserver.sh", []),
    ("tests/packaging/procd_harness.sh", []),
]


@pytest.mark.parametrize("script,args", SCRIPTS, ids=[s for s, _ in SCRIPTS])
def test_script_is_shellcheck_clean(script, args):
    done = run(["shellcheck", *args, str(REPO / script)], check=False, env=SYS_ENV)
    assert done.returncode == 0, done.stdout


def test_systemd_unit_keeps_download_folders_writable():
    unit = (REPO / "init.d/utserver.service").read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["User"] == "utserver" and settings["UMask"] == "0002" and settings["Type"] == "simple"
    # strict or ProtectHome would make /srv, /mnt, /media or /home read-only for downloads.
    assert settings["ProtectSystem"] == "full" and "ProtectHome" not in settings
    assert "-daemon" not in settings["ExecStart"]
