"""Fixtures for the packaging tests: the built .deb and one throwaway Debian root per session.

The root is made by mmdebstrap from the mirror this host's apt uses (read at run time) and
cached as a tarball under build/packaging/ for a week; each session unpacks a fresh copy.
These tests need root (mmdebstrap, chroot, mount): CI runs as root.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .pkgtools import (
    REPO,
    SESSION,
    Root,
    cached_root_tarball,
    needs_root,
    remove_tree,
    run,
    sweep_dead_sessions,
    unpack_root,
    version,
)


@pytest.fixture(scope="session")
def session_dir() -> Path:
    """This session's folder under build/packaging (relative to the repo); removed at the end."""
    sweep_dead_sessions()
    (REPO / SESSION).mkdir(parents=True)
    yield SESSION
    remove_tree(REPO / SESSION)


@pytest.fixture(scope="session")
def deb(session_dir) -> Path:
    """`make deb`: the .deb, after lintian passed inside the target."""
    run(["make", "deb", f"DEB_DIR={session_dir}/deb"], timeout=900)
    path = REPO / session_dir / "deb" / f"utserver_{version()}_all.deb"
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def root_tarball() -> Path:
    needs_root()
    return cached_root_tarball()


@pytest.fixture(scope="session")
def debian_root(root_tarball, session_dir) -> Root:
    """A fresh amd64 Debian root with the package's dependencies, /proc and /dev mounted."""
    path = REPO / session_dir / "root"
    unpack_root(root_tarball, path)
    run(["mount", "-t", "proc", "proc", str(path / "proc")])
    run(["mount", "--bind", "/dev", str(path / "dev")])
    run(["mount", "--bind", "/dev/pts", str(path / "dev/pts")])
    try:
        yield Root(path)
    finally:
        remove_tree(path)
