"""Checks of the repository itself (no daemon, no libtorrent session): part of `make lint`."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tracked() -> dict[str, str]:
    """path -> text of every git-tracked text file (binary files left out)."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    found = {}
    for name in names.decode().split("\0"):
        path = REPO / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            found[name] = data.decode("utf-8", errors="replace")
    return found
