"""Helpers of the packaging tests (fixtures in conftest.py): commands, versions, the Debian root.

The root is made by mmdebstrap from the mirror this host's apt uses (read at run time) and
cached as a tarball under build/packaging/ for a week; each session unpacks a fresh copy.
These tests need root (mmdebstrap, chroot, mount): CI runs as root.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.daemon import free_ports

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build" / "packaging"
# Sessions may run at the same time in one checkout: each works in its own folder
# (relative to REPO, as make takes it); only the root tarball cache is shared.
SESSION = BUILD.relative_to(REPO) / f"s{os.getpid()}"
SYS_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8", "HOME": "/root"}
# What a Debian user's apt pulls for the package, plus logrotate to check our rotation file and
# systemd to boot the root as a container (test_systemd.py).
ROOT_PACKAGES = ("python3-libtorrent,python3-bottle,python3-cheroot,python3-netifaces,"
                 "python3-miniupnpc,python3-feedparser,adduser,logrotate,systemd,systemd-sysv,dbus")
CACHE_DAYS = 7


def run(cmd: list[str], timeout: float = 600, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Run a command; on failure show its output in the assertion."""
    kw.setdefault("cwd", REPO)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check:
        assert done.returncode == 0, \
            f"{' '.join(cmd)} exited {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def version() -> str:
    return re.search(r'^version\s*=\s*"(.+)"', (REPO / "pyproject.toml").read_text(), re.M)[1]


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root: mmdebstrap, chroot and mounts")


@dataclass
class Root:
    path: Path

    def run(self, *cmd: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        env = dict(SYS_ENV, DEBIAN_FRONTEND="noninteractive")
        return run(["chroot", str(self.path), *cmd], check=check, timeout=timeout, env=env)

    def file(self, path: str) -> Path:
        return self.path / path.lstrip("/")

    def install(self, deb: Path) -> subprocess.CompletedProcess:
        shutil.copy(deb, self.file("/tmp"))
        return self.run("apt-get", "install", "-y", "--no-install-recommends", f"/tmp/{deb.name}")


def _mirror_and_codename() -> tuple[str, str]:
    codename = re.search(r"^VERSION_CODENAME=(.+)$", Path("/etc/os-release").read_text(), re.M)[1]
    out = run(["apt-get", "indextargets", "--format", "$(REPO_URI)", "Identifier: Packages",
               f"Codename: {codename}"], env=SYS_ENV).stdout.split()
    assert out, f"apt has no source for {codename}"
    return out[0], codename


def cached_root_tarball() -> Path:
    mirror, codename = _mirror_and_codename()
    key = hashlib.sha256(f"{codename} {mirror} {ROOT_PACKAGES}".encode()).hexdigest()[:12]
    tarball = BUILD / f"root-{codename}-amd64-{key}.tar"
    if tarball.exists() and time.time() - tarball.stat().st_mtime < CACHE_DAYS * 86400:
        return tarball
    BUILD.mkdir(parents=True, exist_ok=True)
    for old in BUILD.glob("root-*.tar"):
        if old != tarball:
            old.unlink(missing_ok=True)
    tmp = BUILD / f"tmp-{os.getpid()}-{tarball.name}"
    run(["mmdebstrap", "--variant=apt", f"--include={ROOT_PACKAGES}", codename, str(tmp), mirror],
        timeout=900, env=SYS_ENV)
    tmp.replace(tarball)
    return tarball


def umount_all(root: Path) -> None:
    for sub in ("dev/pts", "dev", "proc"):
        if os.path.ismount(root / sub):
            subprocess.run(["umount", str(root / sub)], check=True)


def kill_processes_in(root: Path) -> None:
    """Stop anything a failed test left running inside the root; wait (bounded) until gone."""
    def inside() -> list[int]:
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and os.readlink(proc / "root") == str(root):
                    pids.append(int(proc.name))
            except OSError:
                pass
        return pids

    for pid in inside():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
    deadline = time.monotonic() + 30
    while inside() and time.monotonic() < deadline:
        time.sleep(0.2)


def remove_tree(path: Path) -> None:
    """Remove a session folder or root: stop what runs inside, unmount, delete."""
    for root in [path, *path.glob("root*")]:
        kill_processes_in(root.resolve())
        umount_all(root)
    run(["rm", "-rf", "--one-file-system", str(path)])


def sweep_dead_sessions() -> None:
    """Folders of sessions that were killed before their cleanup ran."""
    for folder in BUILD.glob("s[0-9]*"):
        if not Path(f"/proc/{folder.name[1:]}").exists():
            remove_tree(folder)
    for tmp in BUILD.glob("tmp-*"):
        if not Path(f"/proc/{tmp.name.split('-')[1]}").exists():
            tmp.unlink(missing_ok=True)


def unpack_root(tarball: Path, path: Path) -> None:
    """A fresh copy of the cached root at path (anything left from an earlier run is removed)."""
    if path.exists():
        kill_processes_in(path.resolve())
        umount_all(path)
        run(["rm", "-rf", "--one-file-system", str(path)])
    path.mkdir(parents=True)
    run(["tar", "-xf", str(tarball), "-C", str(path)], timeout=300)


def use_free_ports(conf: Path) -> int:
    """Point the installed conf at free loopback ports (web UI, peers); returns the web UI port."""
    web, peers = free_ports(2)
    text = re.sub(r"^ut_webui_port:.*$", f"ut_webui_port: {web}", conf.read_text(), flags=re.M)
    conf.write_text(text + f"bind_port: {peers}\n")
    return web


def admin_password(conf: Path) -> str:
    return re.search(r"^admin_password: *(\S+)$", conf.read_text(), re.M)[1]


def http_status(port: int, password: str | None) -> int:
    """Status of GET /gui/token.html; 0 while nothing answers."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/gui/token.html")
    if password is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"admin:{password}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def wait_for(condition, timeout: float, what: str):
    """Poll condition() until it returns something true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)
