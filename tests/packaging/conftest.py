"""Fixtures for the packaging tests: the built .deb and one throwaway Debian root per session.

The root is made by mmdebstrap from the mirror this host's apt uses (read at run time) and
cached as a tarball under build/packaging/ for a week; each session unpacks a fresh copy.
These tests need root (mmdebstrap, chroot, mount): CI runs as root.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .pkgtools import (BUILD, REPO, Root, cached_root_tarball, kill_processes_in, needs_root, run, umount_all,
                      unpack_root, version)


@pytest.fixture(scope="session")
def deb() -> Path:
    """`make deb`: the .deb, after lintian passed inside the target."""
    run(["make", "deb"], timeout=900)
    path = REPO / "build" / "deb" / f"utserver_{version()}_all.deb"
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def root_tarball() -> Path:
    needs_root()
    return cached_root_tarball()


@pytest.fixture(scope="session")
def debian_root(root_tarball) -> Root:
    """A fresh amd64 Debian root with the package's dependencies, /proc and /dev mounted."""
    path = BUILD / "root"
    unpack_root(root_tarball, path)
    run(["mount", "-t", "proc", "proc", str(path / "proc")])
    run(["mount", "--bind", "/dev", str(path / "dev")])
    run(["mount", "--bind", "/dev/pts", str(path / "dev/pts")])
    try:
        yield Root(path)
    finally:
        kill_processes_in(path.resolve())
        umount_all(path)
        run(["rm", "-rf", "--one-file-system", str(path)])
