"""The OpenWrt .ipk from `make ipk`: reproducible, valid for opkg, and what the feed declares."""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

from .pkgtools import REPO, run, version


@pytest.fixture(scope="module")
def ipk(session_dir):
    # make ipk also runs openwrt/check_ipk.py on the result
    run(["make", "ipk", f"IPK_DIR={session_dir}/ipk"])
    return REPO / session_dir / "ipk" / f"utserver_{version()}-r1_all.ipk"


def _members(ipk) -> tuple[dict[str, bytes], dict[str, bytes]]:
    with tarfile.open(ipk) as outer:
        blobs = {m.name: outer.extractfile(m).read() for m in outer.getmembers()}

    def files(blob):
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    return files(blobs["./control.tar.gz"]), files(blobs["./data.tar.gz"])


def test_ipk_rebuild_is_byte_identical(ipk):
    first = hashlib.sha256(ipk.read_bytes()).hexdigest()
    run(["make", "ipk", f"IPK_DIR={ipk.parent.relative_to(REPO)}"])
    assert hashlib.sha256(ipk.read_bytes()).hexdigest() == first


def test_ipk_control_declares_dependencies_user_and_conffiles(ipk):
    control, data = _members(ipk)
    fields = dict(line.split(": ", 1) for line in control["./control"].decode().splitlines())
    assert fields["Architecture"] == "all" and fields["Require-User"] == "utserver:utserver"
    for package in ("python3-libtorrent", "python3-bottle", "python3-cheroot", "python3-feedparser"):
        assert package in fields["Depends"].split(", ")
    assert control["./conffiles"].decode().split() == ["/etc/config/utserver"]
    # The confs are created on first start (random password, one per instance); sysupgrade keeps
    # their folder and the UCI file.
    assert data["./lib/upgrade/keep.d/utserver"].decode().split() == ["/etc/config/utserver", "/etc/utserver/"]


def test_ipk_state_defaults_to_persistent_storage(ipk):
    _, data = _members(ipk)
    uci = data["./etc/config/utserver"].decode()
    settings_dir = re.search(r"option settings_dir '([^']+)'", uci)[1]
    conf = data["./usr/share/utserver/utserver.conf"].decode()
    dir_root = re.search(r"^dir_root: (.+)$", conf, re.M)[1]
    for path in (settings_dir, dir_root):
        assert not path.startswith(("/var", "/tmp")), f"{path} is RAM on OpenWrt"


def _check_ipk(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "openwrt/check_ipk.py"), str(path)],
                          capture_output=True, text=True)


def test_ipk_validator_rejects_a_debian_style_package(tmp_path):
    # opkg refuses the ar container of a .deb ("Malformed package file"); so must the validator.
    member = tmp_path / "debian-binary"
    member.write_text("2.0\n")
    fake = tmp_path / f"utserver_{version()}-r1_all.ipk"
    run(["ar", "rc", str(fake), str(member)])
    done = _check_ipk(fake)
    assert done.returncode == 1 and "gzipped tar" in done.stderr


def test_ipk_validator_rejects_a_non_executable_init_script(ipk, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ipk.parent / "root", root)
    (root / "etc/init.d/utserver").chmod(0o644)
    run([sys.executable, str(REPO / "openwrt/mkipk.py"), "--root", str(root), "--out", str(tmp_path)])
    done = _check_ipk(tmp_path / ipk.name)
    assert done.returncode == 1 and "init.d/utserver missing or not 0755" in done.stderr
