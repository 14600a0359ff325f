"""The OpenWrt procd script (init.d/utserver.procd) run by busybox ash, with stand-ins for the
OpenWrt functions it calls (procd itself is not in Debian): the conf is created once with a
private random password, the instance respawns as utserver, the wrapper really sets umask and
working directory, reload is SIGHUP."""
from __future__ import annotations

import re
import stat
import subprocess

import pytest

from .pkgtools import REPO

HARNESS = REPO / "tests/packaging/procd_harness.sh"


def procd(action: str, tmp_path, sections: str = "main", **uci) -> str:
    """Run ACTION; uci holds options as SECTION_OPTION (main's conf and state are under tmp_path)."""
    template = tmp_path / "template.conf"
    template.write_text("ut_webui_port: 8080\nadmin_password:\ndir_root: /opt/utserver\ndir_temp_files: /opt/utserver/temp\n")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "UCI_SECTIONS": sections,
           "UCI_main_config_file": str(tmp_path / "etc/utserver.conf"),
           "UCI_main_settings_dir": str(tmp_path / "state"), **{f"UCI_{k}": v for k, v in uci.items()}}
    done = subprocess.run(["busybox", "sh", str(HARNESS), str(REPO / "init.d/utserver.procd"), str(template), action],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def params(out: str) -> dict[str, list[str]]:
    return {m[1]: re.findall(r"<([^>]*)>", m[2]) for m in re.finditer(r"^param (\S+)(.*)$", out, re.M)}


@pytest.fixture(autouse=True)
def _busybox():
    if subprocess.run(["sh", "-c", "command -v busybox"], capture_output=True).returncode:
        pytest.fail("busybox is missing (tests/system-packages.txt installs it)")


def test_first_start_creates_private_conf_with_random_password_once(tmp_path):
    out = procd("start_service", tmp_path)
    conf = tmp_path / "etc/utserver.conf"
    password = re.search(r"^admin_password: (\w+)$", conf.read_text(), re.M)[1]
    assert len(password) >= 16 and f'password "{password}"' in out
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    assert f"chgrp utserver {conf}.new" in out
    procd("start_service", tmp_path)
    assert f"admin_password: {password}\n" in conf.read_text(), "a second start must keep the conf"
    assert f"dir_root: {tmp_path / 'state'}\n" in conf.read_text(), "downloads go where settings_dir is"


def test_instance_respawns_as_utserver_with_logs_to_logd(tmp_path):
    p = params(procd("start_service", tmp_path))
    assert p["user"] == ["utserver"] and p["group"] == ["utserver"]
    assert "respawn" in p and p["stdout"] == ["1"] and p["stderr"] == ["1"]
    assert p["env"] == ["LANG=C.UTF-8"]


def test_command_sets_umask_and_working_directory_then_runs_daemon(tmp_path):
    command = params(procd("start_service", tmp_path))["command"]
    # Run procd's command line with a stand-in daemon that reports what it got.
    fake = tmp_path / "utserver"
    fake.write_text('#!/bin/sh\necho "umask=$(umask) cwd=$(pwd) args=$*"\n')
    fake.chmod(0o755)
    command[command.index("/usr/bin/utserver")] = str(fake)
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    state, conf = tmp_path / "state", tmp_path / "etc/utserver.conf"
    assert done.stdout.strip() == f"umask=0002 cwd={state} args=-configfile {conf} -settingspath {state}"
    assert stat.S_IMODE(state.stat().st_mode) == 0o750


def test_disabled_service_starts_no_instance(tmp_path):
    assert "open_instance" not in procd("start_service", tmp_path, main_enabled="0")


def test_reload_sends_sighup_and_uci_commit_triggers_it(tmp_path):
    assert procd("reload_service", tmp_path).strip() == "send_signal utserver * HUP"
    assert procd("service_triggers", tmp_path).strip() == "reload_trigger utserver"


def test_each_section_is_an_instance_with_its_own_conf_state_and_ports(tmp_path):
    out = procd("start_service", tmp_path, sections="main disk2", disk2_config_file=str(tmp_path / "etc/disk2.conf"),
                disk2_settings_dir=str(tmp_path / "disk2"), disk2_webui_port="8081", disk2_peer_port="6882")
    assert re.findall(r"^open_instance (\S+)$", out, re.M) == ["main", "disk2"]
    conf = (tmp_path / "etc/disk2.conf").read_text()
    assert "ut_webui_port: 8081\n" in conf and "bind_port: 6882\n" in conf
    assert f"dir_root: {tmp_path / 'disk2'}\n" in conf and f"dir_temp_files: {tmp_path / 'disk2'}/temp\n" in conf
    passwords = {re.search(r"^admin_password: (\w+)$", (tmp_path / f"etc/{name}.conf").read_text(), re.M)[1]
                 for name in ("utserver", "disk2")}
    assert len(passwords) == 2, "each instance has its own password"
    second = out[out.index("open_instance disk2"):]
    assert f"<{tmp_path / 'disk2'}> </usr/bin/utserver> <{tmp_path / 'etc/disk2.conf'}>" in second

