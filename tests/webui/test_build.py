"""webui.zip: the same bytes from the same sources, every UI file at the root, small enough for a router."""

from __future__ import annotations

import zipfile

import pytest

from tests.webui.conftest import ROOT, _load_builder

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

LIMIT = 150 * 1024  # the goal for a router's flash


def test_zip_is_reproducible_flat_and_small(tmp_path):
    build = _load_builder().build
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    build(first)
    build(second)
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size < LIMIT

    names = zipfile.ZipFile(first).namelist()
    assert "index.html" in names and "main.js" in names
    assert names == sorted(names)
    assert not [n for n in names if "/" in n or n.endswith(".py")]
    shipped = sorted(p.name for p in (ROOT / "webui").iterdir() if p.suffix in {".html", ".css", ".js"})
    assert names == shipped
