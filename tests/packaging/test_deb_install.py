"""The .deb installed with apt into a throwaway amd64 Debian root (mmdebstrap), as a user would:
system user, private state, conffiles, generated web UI password, the daemon answering HTTP
through its init script, upgrade keeping an edited conf, purge keeping downloads.
The tests run in file order on one root; the last one purges."""
from __future__ import annotations

import re
import shutil
import stat

import pytest

from .pkgtools import REPO, SYS_ENV, run, version

CONF = "/etc/utserver/utserver.conf"


@pytest.fixture(scope="module")
def installed(debian_root, deb):
    done = debian_root.install(deb)
    debian_root.install_output = done.stdout + done.stderr
    return debian_root


def test_install_creates_system_user_with_private_state(installed):
    entry = installed.run("getent", "passwd", "utserver").stdout.strip().split(":")
    assert int(entry[2]) < 1000, "not a system user"
    assert entry[5] == "/var/lib/utserver"
    assert entry[6] == "/usr/sbin/nologin"
    # Ownership by name as the root sees it (the host may map these ids to other names).
    state = installed.file("/var/lib/utserver").stat()
    assert (state.st_uid, state.st_gid, stat.S_IMODE(state.st_mode)) == (int(entry[2]), int(entry[3]), 0o750)
    downloads = installed.file("/var/lib/utserver/downloads").stat()
    assert stat.S_IMODE(downloads.st_mode) == 0o2775 and downloads.st_gid == int(entry[3])


def test_conffiles_are_registered(installed):
    listed = installed.run("dpkg-query", "-W", "-f=${Conffiles}", "utserver").stdout
    for path in ("/etc/default/utserver", "/etc/init.d/utserver", "/etc/logrotate.d/utserver"):
        assert re.search(rf"^ {re.escape(path)} [0-9a-f]{{32}}$", listed, re.M), listed
    assert installed.file("/lib/systemd/system/utserver.service").is_file()
    assert installed.file("/etc/rc2.d/S01utserver").is_symlink(), "update-rc.d did not enable the init script"


def test_install_sets_and_announces_a_private_web_ui_password(installed):
    conf = installed.file(CONF)
    password = re.search(r"^admin_password: *(\S*)$", conf.read_text(), re.M)[1]
    assert len(password) >= 12
    assert f'password "{password}"' in installed.install_output
    st = conf.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640 and st.st_uid == 0
    group = installed.run("getent", "group", "utserver").stdout.split(":")[2]
    assert st.st_gid == int(group), "the daemon's group must read the conf, nobody else"
    assert re.search(r"^ut_webui_dir: /usr/share/utserver$", conf.read_text(), re.M)


def test_init_script_runs_daemon_answering_http_reload_and_stop(installed):
    # smoke.sh is the same check `make cross-test` runs on arm64/armhf: it picks free loopback
    # ports, starts via /etc/init.d/utserver, asks /gui/token.html with the generated password,
    # reloads (SIGHUP), stops, and checks status.
    done = run([str(REPO / "cross-build/smoke.sh"), str(installed.path)], timeout=600, check=False, env=SYS_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: daemon" in done.stdout and "ok: stopped" in done.stdout


def test_logrotate_accepts_the_rotation_file(installed):
    installed.file("/var/log/utserver/utserver.log").touch()
    done = installed.run("logrotate", "--debug", "--force", "/etc/logrotate.d/utserver", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in (done.stdout + done.stderr).lower()


def test_upgrade_keeps_an_edited_conf(installed, deb, tmp_path):
    conf = installed.file(CONF)
    conf.write_text(conf.read_text() + "# edited by the admin\nmax_active_downloads: 2\n")
    edited = conf.read_bytes()
    newer = _build_newer_deb(deb, tmp_path)
    installed.install(newer)
    assert installed.run("dpkg-query", "-W", "-f=${Version}", "utserver").stdout == f"{version()}+upgradetest1"
    assert conf.read_bytes() == edited


def test_purge_removes_state_and_conf_but_never_downloads(installed):
    state = installed.file("/var/lib/utserver")
    (state / "settings.dat").write_bytes(b"de")
    completed = state / "downloads/completed"
    completed.mkdir(parents=True, exist_ok=True)
    (completed / "film.mkv").write_bytes(b"downloaded bytes")
    installed.run("apt-get", "purge", "-y", "utserver")
    assert not (state / "settings.dat").exists()
    assert not installed.file(CONF).exists() and not installed.file("/etc/utserver").exists()
    assert not installed.file("/var/log/utserver").exists()
    assert (completed / "film.mkv").read_bytes() == b"downloaded bytes"
    assert sorted(p.name for p in state.iterdir()) == ["downloads"]


def _build_newer_deb(deb, tmp_path):
    """The same package with a newer version: a changelog entry on a copy of the build tree."""
    tree = tmp_path / "utserver"
    shutil.copytree(deb.parent / f"utserver-{version()}", tree, symlinks=True)
    changelog = tree / "debian/changelog"
    entry = (f"utserver ({version()}+upgradetest1) unstable; urgency=medium\n\n  * Upgrade test.\n\n"
             " -- utserver developers <utserver@example.org>  Tue, 24 Nov 2026 01:00:00 +0000\n\n")
    changelog.write_text(entry + changelog.read_text())
    run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=SYS_ENV)
    return tmp_path / f"utserver_{version()}+upgradetest1_all.deb"
