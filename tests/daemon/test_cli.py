"""The command line of the real utserver process (manual, "Command-line Arguments")."""

import os
import signal
import subprocess
import sys

import pytest

from tests.support.daemon import wait_for

UTSERVER = [sys.executable, "-m", "utserver"]


def run(args, cwd, timeout=20):
    return subprocess.run(UTSERVER + args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_usage_prints_every_argument_and_exits_0(tmp_path):
    result = run(["-usage"], tmp_path)
    assert result.returncode == 0
    for word in ("-configfile", "-logfile", "-settingspath", "-pidfile", "-daemon", "-usage"):
        assert word in result.stdout


@pytest.mark.parametrize("args, reason", [
    (["-nosuchthing"], "unknown argument '-nosuchthing'"),
    (["--configfile", "x"], "unknown argument '--configfile'"),
    (["configfile"], "unknown argument 'configfile'"),
    (["-configfile"], "-configfile needs a value"),
    (["-settingspath", "-daemon"], "-settingspath needs a value"),
])
def test_a_bad_argument_prints_the_usage_to_stderr_and_exits_2(tmp_path, args, reason):
    result = run(args, tmp_path)
    assert result.returncode == 2
    assert reason in result.stderr
    assert "usage: utserver" in result.stderr
    assert result.stdout == ""


def test_keywords_are_case_insensitive(tmp_path):
    assert run(["-USAGE"], tmp_path).returncode == 0
    assert "usage:" in run(["-Usage"], tmp_path).stdout


def test_a_conf_with_a_bad_value_stops_startup_naming_file_and_line(tmp_path):
    (tmp_path / "u.conf").write_text("bind_port: 7000\nmax_dl_rate: fast\n")
    result = run(["-configfile", "u.conf", "-settingspath", "s"], tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'u.conf'}:2: max_dl_rate: 'fast' is not a whole number" in result.stderr


def start(args, cwd):
    return subprocess.Popen(UTSERVER + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def test_logfile_without_a_name_writes_utserver_log_in_the_working_directory(tmp_path):
    proc = start(["-settingspath", "s", "-logfile"], tmp_path)
    log = tmp_path / "utserver.log"
    wait_for(lambda: log.exists() and "utserver started" in log.read_text(), what="utserver.log")
    assert stop(proc) == 0
    assert "utserver stopped" in log.read_text()


def test_logfile_with_a_name_and_settingspath(tmp_path):
    proc = start(["-logfile", "logs.txt", "-settingspath", "state"], tmp_path)
    wait_for(lambda: "utserver started" in (tmp_path / "logs.txt").read_text(errors="ignore")
             if (tmp_path / "logs.txt").exists() else False, what="logs.txt")
    assert stop(proc) == 0
    assert (tmp_path / "state" / "settings.dat").exists()
    assert not (tmp_path / "settings.dat").exists()


def test_without_settingspath_settings_go_to_the_working_directory(tmp_path):
    proc = start(["-logfile", "l.log"], tmp_path)
    wait_for(lambda: (tmp_path / "settings.dat").exists(), what="settings.dat in the working directory")
    assert stop(proc) == 0


def test_without_configfile_utserver_conf_in_the_working_directory_is_read(tmp_path):
    (tmp_path / "utserver.conf").write_text("logmask: oops\n")  # proves it was read: startup fails
    result = run(["-settingspath", "s"], tmp_path)
    assert result.returncode == 1
    assert "utserver.conf:1: logmask" in result.stderr


def test_pidfile_holds_the_pid_and_is_removed_at_exit(tmp_path):
    pidfile = tmp_path / "run" / "utserver.pid"
    pidfile.parent.mkdir()
    proc = start(["-settingspath", "s", "-logfile", "l.log", "-pidfile", str(pidfile)], tmp_path)
    wait_for(pidfile.exists, what="pidfile")
    assert int(pidfile.read_text()) == proc.pid
    assert stop(proc) == 0
    assert not pidfile.exists()


def test_daemon_detaches_into_its_own_process_group(tmp_path):
    pidfile = tmp_path / "utserver.pid"
    launcher = run(["-daemon", "-pidfile", str(pidfile), "-settingspath", "s", "-logfile", "d.log"], tmp_path)
    assert launcher.returncode == 0  # the launcher returns at once, the daemon lives on
    pid = int(wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="daemon pidfile"))
    try:
        wait_for(lambda: "utserver started" in (tmp_path / "d.log").read_text(), what="daemon start")
        assert os.getpgid(pid) == pid            # leader of its own process group
        assert os.getsid(pid) == pid             # and session: no controlling terminal
        assert os.getpgid(pid) != os.getpgid(0)
    finally:
        os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not pidfile.exists(), what="pidfile removal after SIGTERM")
    assert "utserver stopped" in (tmp_path / "d.log").read_text()
