"""webui.zip: the same bytes from the same sources, every UI file at the root, small enough for a router."""

from __future__ import annotations

import re
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


def test_index_preloads_every_module(tmp_path):
    """The browser asks for every script at once, not one import level at a time."""
    out = tmp_path / "ui.zip"
    _load_builder().build(out)
    index = zipfile.ZipFile(out).read("index.html").decode()
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)">', index)
    assert sorted(preloads + ["main.js"]) == sorted(p.name for p in (ROOT / "webui").glob("*.js"))
    assert index.index("modulepreload") < index.index('<script type="module" src="main.js">')
