"""settings.dat, conf precedence, SIGHUP reload, SIGTERM, .utt cleanup and file modes."""

import signal
import stat

import libtorrent as lt
import pytest

from tests.support.daemon import wait_for


def stored(daemon) -> dict:
    raw = lt.bdecode((daemon.settings_path / "settings.dat").read_bytes())
    return {k.decode(): v for k, v in raw.items()}


def setting(daemon, name):
    return next(entry for entry in daemon.api({"action": "getsettings"})["settings"] if entry[0] == name)[2]


def test_settings_dat_is_written_and_the_conf_applies_only_before_it_exists(make_daemon):
    daemon = make_daemon({"max_dl_rate": 100, "logmask": 0})
    daemon.start()
    assert stored(daemon)["max_dl_rate"] == 100
    daemon.api([("action", "setsetting"), ("s", "max_ul_rate"), ("v", "42")])
    assert daemon.stop() == 0
    # A regular setting in the conf no longer applies once settings.dat exists (manual),
    # while one that always applies from the conf does.
    daemon.conf.update({"max_dl_rate": 200, "logmask": 3})
    daemon.start()
    assert setting(daemon, "max_dl_rate") == "100" and setting(daemon, "max_ul_rate") == "42"
    assert setting(daemon, "logmask") == "3"
    assert daemon.stop() == 0


def test_the_password_from_the_conf_is_stored_hashed(daemon):
    value = stored(daemon)["admin_password"].decode()
    assert value.startswith("pbkdf2_sha256$") and "testpass" not in value


def test_sigterm_and_sigint_exit_cleanly(make_daemon):
    for sig in (signal.SIGTERM, signal.SIGINT):
        daemon = make_daemon(name=f"d{sig}").start()
        assert daemon.stop(sig) == 0
        assert "utserver stopped" in daemon.log()


def test_sighup_reloads_the_conf_and_reopens_the_log(make_daemon, tmp_path):
    daemon = make_daemon({"dir_download": [str(tmp_path / "one")]}).start()
    daemon.conf["dir_download"] = [str(tmp_path / "one"), str(tmp_path / "two")]
    from tests.support.daemon import write_conf
    write_conf(daemon.conf_path, daemon.conf)
    rotated = daemon.log_path.with_suffix(".log.1")
    daemon.log_path.rename(rotated)  # what logrotate does before sending SIGHUP
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in daemon.log(), what="reload in the new log file")
    assert "dir_download" in daemon.log()
    assert (tmp_path / "two").is_dir()  # the new download folder was created
    paths = [d["path"] for d in daemon.api({"action": "list-dirs"})["download-dirs"]]
    assert paths[-2:] == [str(tmp_path / "one"), str(tmp_path / "two")]  # clients see it at once


def test_a_reload_with_a_broken_conf_keeps_the_daemon_running(daemon):
    daemon.conf_path.write_text("bind_port: many\n")
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload refused" in daemon.log(), what="refused reload")
    assert ":1: bind_port: 'many' is not a whole number" in daemon.log()
    assert daemon.proc.poll() is None
    assert daemon.stop() == 0


def test_a_corrupt_settings_dat_falls_back_to_the_previous_copy(make_daemon):
    daemon = make_daemon({"max_ul_rate": 55}).start()
    daemon.stop()
    daemon.start()  # a second save leaves settings.dat.old behind
    daemon.stop()
    (daemon.settings_path / "settings.dat").write_bytes(b"d3:abc")  # torn write
    daemon.start()
    assert "settings.dat is corrupt" in daemon.log()
    assert stored(daemon)["max_ul_rate"] == 55
    daemon.stop()


def test_with_both_copies_corrupt_the_daemon_starts_on_defaults(make_daemon):
    daemon = make_daemon({"max_ul_rate": 55}).start()
    daemon.stop()
    for name in ("settings.dat", "settings.dat.old"):
        (daemon.settings_path / name).write_bytes(b"garbage")
    daemon.conf["max_ul_rate"] = 66
    daemon.start()
    assert "unusable: starting from defaults" in daemon.log()
    assert stored(daemon)["max_ul_rate"] == 66  # as on a first run: the conf applies again
    daemon.stop()


def test_utt_files_in_dir_temp_files_are_deleted_at_startup(make_daemon, tmp_path):
    temp = tmp_path / "tmpfiles"
    temp.mkdir()
    (temp / "a.utt").write_text("x")
    (temp / "b.utt").write_text("x")
    (temp / "keep.txt").write_text("x")
    make_daemon({"dir_temp_files": str(temp)}).start()
    assert sorted(p.name for p in temp.iterdir()) == ["keep.txt"]


def test_dir_root_makes_the_data_folders_relative_to_it(make_daemon, tmp_path):
    daemon = make_daemon({"dir_root": str(tmp_path / "root"), "dir_active": "active",
                          "dir_completed": "done"}).start()
    assert (tmp_path / "root" / "active").is_dir()
    assert (tmp_path / "root" / "done").is_dir()
    assert daemon.stop() == 0


@pytest.mark.parametrize("umask, download_mode", [(0o002, 0o775), (0o077, 0o700)])
def test_downloads_follow_the_umask_and_internal_files_stay_private(make_daemon, tmp_path, umask, download_mode):
    daemon = make_daemon({"dir_completed": "completed"}, umask=umask).start()
    assert stat.S_IMODE((daemon.workdir / "completed").stat().st_mode) == download_mode
    assert stat.S_IMODE(daemon.settings_path.stat().st_mode) == 0o700
    assert stat.S_IMODE((daemon.settings_path / "settings.dat").stat().st_mode) == 0o600
    assert daemon.stop() == 0
