"""The systemd unit, for real: the root booted as a container (systemd-nspawn) after apt
installed the .deb. The unit must start at boot as utserver with umask 0002, answer HTTP,
reload on `systemctl reload`, stop cleanly, and its hardening must leave /srv, /mnt, /media
and /home writable for downloads while /usr and /etc stay read-only."""
from __future__ import annotations

import re
import subprocess

import pytest

from .pkgtools import (
    REPO,
    SYS_ENV,
    Root,
    admin_password,
    http_status,
    kill_processes_in,
    run,
    unpack_root,
    use_free_ports,
    wait_for,
)

DOWNLOAD_DIRS = ("/srv/dl", "/mnt/dl", "/media/dl", "/home/dl")


class Booted:
    def __init__(self, root: Root, nspawn: subprocess.Popen):
        self.root, self.nspawn = root, nspawn

    def leader(self) -> int | None:
        """Host pid of the container's systemd: the child of systemd-nspawn."""
        out = subprocess.run(["pgrep", "-P", str(self.nspawn.pid)], capture_output=True, text=True).stdout.split()
        return int(out[0]) if out else None

    def run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(["nsenter", "-t", str(self.leader()), "-a", *cmd], check=check, timeout=120, env=SYS_ENV)

    def show(self, *props: str) -> dict[str, str]:
        out = self.run("systemctl", "show", "utserver", *(f"--property={p}" for p in props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines())


@pytest.fixture(scope="module")
def booted(root_tarball, deb, session_dir):
    if subprocess.run(["sh", "-c", "command -v systemd-nspawn"], capture_output=True).returncode:
        pytest.fail("systemd-nspawn is missing (systemd-container in tests/system-packages.txt)")
    root = Root(REPO / session_dir / "root-systemd")
    unpack_root(root_tarball, root.path)
    root.install(deb)
    conf = root.file("/etc/utserver/utserver.conf")
    port = use_free_ports(conf)
    for folder in DOWNLOAD_DIRS:
        root.run("install", "-d", "-o", "utserver", "-g", "utserver", folder)
    # --register/--keep-unit: no machined here. The container shares our network: its
    # loopback port is ours.
    nspawn = subprocess.Popen(["systemd-nspawn", "--register=no", "--keep-unit", "--console=pipe", "-q", "-b",
                               "-D", str(root.path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=SYS_ENV)
    box = Booted(root, nspawn)
    box.port, box.password = port, admin_password(conf)
    try:
        wait_for(lambda: box.leader() and box.run("systemctl", "is-system-running", check=False).stdout.strip()
                 in ("running", "degraded"), 120, "the container to boot")
        yield box
    finally:
        if box.leader():
            box.run("systemctl", "poweroff", check=False)
        try:
            nspawn.wait(timeout=60)
        except subprocess.TimeoutExpired:
            nspawn.kill()
            nspawn.wait(timeout=30)
        kill_processes_in(root.path.resolve())
        run(["rm", "-rf", "--one-file-system", str(root.path)])


def test_unit_starts_at_boot_as_utserver_with_group_writable_umask(booted):
    wait_for(lambda: http_status(booted.port, booted.password) == 200, 120, "HTTP 200 from the daemon")
    props = booted.show("User", "ActiveState", "MainPID")
    assert props["User"] == "utserver" and props["ActiveState"] == "active"
    status = booted.run("cat", f"/proc/{props['MainPID']}/status").stdout
    assert "Umask:\t0002" in status
    assert http_status(booted.port, None) == 401


def test_hardening_keeps_download_folders_writable_and_system_read_only(booted):
    pid = booted.show("MainPID")["MainPID"]
    uid = booted.run("id", "-u", "utserver").stdout.strip()
    gid = booted.run("id", "-g", "utserver").stdout.strip()
    # Enter the service's own mount namespace, as the service user.
    as_service = ["nsenter", "-t", pid, "-m", "-S", uid, "-G", gid, "--"]
    for folder in DOWNLOAD_DIRS:
        booted.run(*as_service, "touch", f"{folder}/written-by-utserver")
    assert booted.run("nsenter", "-t", pid, "-m", "--", "touch", "/usr/share/x", check=False).returncode != 0
    assert booted.run("nsenter", "-t", pid, "-m", "--", "touch", "/etc/x", check=False).returncode != 0


def test_systemctl_reload_keeps_the_daemon(booted):
    before = booted.show("MainPID")["MainPID"]
    booted.run("systemctl", "reload", "utserver")
    assert booted.show("MainPID", "ActiveState") == {"MainPID": before, "ActiveState": "active"}
    wait_for(lambda: http_status(booted.port, booted.password) == 200, 60, "HTTP 200 after reload")


def test_a_second_instance_runs_beside_with_its_own_conf_state_and_port(booted):
    """The README's recipe: a copy of the conf with its own ports and dir_root, utserver@NAME."""
    main_conf = booted.root.file("/etc/utserver/utserver.conf").read_text()
    text = re.sub(r"^bind_port:.*\n", "", main_conf, flags=re.M).replace("/var/lib/utserver", "/var/lib/utserver-second")
    conf = booted.root.file("/etc/utserver/second.conf")
    conf.write_text(text)
    port = use_free_ports(conf)
    booted.run("chgrp", "utserver", "/etc/utserver/second.conf")
    booted.run("chmod", "0640", "/etc/utserver/second.conf")
    main_pid = booted.show("MainPID")["MainPID"]
    booted.run("systemctl", "start", "utserver@second")
    wait_for(lambda: http_status(port, booted.password) == 200, 120, "HTTP 200 from the second instance")
    assert http_status(booted.port, booted.password) == 200
    second = booted.run("systemctl", "show", "utserver@second", "--property=MainPID", "--property=User").stdout
    assert "User=utserver" in second and f"MainPID={main_pid}\n" not in second
    assert booted.show("MainPID")["MainPID"] == main_pid
    state = booted.root.file("/var/lib/utserver-second")
    assert sorted(p.name for p in state.iterdir()), "the second instance keeps its state in its own folder"
    booted.run("systemctl", "stop", "utserver@second")
    assert booted.show("ActiveState") == {"ActiveState": "active"}


def test_an_instance_without_its_conf_fails_with_the_reason(booted):
    booted.run("systemctl", "start", "utserver@missing", check=False)
    unit = "utserver@missing"
    wait_for(lambda: booted.run("systemctl", "is-failed", unit, check=False).stdout.strip() == "failed", 60,
             "the instance to fail")
    journal = booted.run("journalctl", "-u", unit, "--no-pager", check=False).stdout
    assert "/etc/utserver/missing.conf: cannot read the configuration file" in journal, journal


def test_systemctl_stop_is_clean(booted):
    booted.run("systemctl", "stop", "utserver")
    props = booted.show("ActiveState", "Result", "ExecMainStatus")
    assert props == {"ActiveState": "inactive", "Result": "success", "ExecMainStatus": "0"}
