"""Fixtures for the web UI tests: the built webui.zip, a real daemon serving it, real Chromium.

Every page opened through `open_ui` is checked at teardown for console errors and uncaught
exceptions, so each test also proves "no console errors" for the views it visited.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.daemon import ADMIN
from tests.webui.swarm import Seeder

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
# The page polls every 2 s and the daemon refreshes its rows once a second: allow a few rounds
# on a busy 2-core machine before an expectation fails.
expect.set_options(timeout=10_000)
PHONE = {"width": 360, "height": 740}


def _load_builder():
    spec = importlib.util.spec_from_file_location("webui_build", ROOT / "webui" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def webui_dir(tmp_path_factory) -> Path:
    """A folder holding a freshly built webui.zip (the daemon's ut_webui_dir)."""
    folder = tmp_path_factory.mktemp("webui")
    _load_builder().build(folder / "webui.zip")
    return folder


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def ui_conf() -> dict:
    """Extra utserver.conf lines for the daemon under test (parametrize to change)."""
    return {}


@pytest.fixture
def ui_daemon(make_daemon, webui_dir, ui_conf):
    return make_daemon({"ut_webui_dir": str(webui_dir), **ui_conf}).start()


@pytest.fixture
def open_ui(browser, ui_daemon):
    """open_ui(viewport=DESKTOP) -> a page showing the UI with its first list loaded.
    A test that provokes network errors on purpose lists their patterns in open_ui.expected."""
    contexts, problems = [], []

    def open_page(viewport: dict = DESKTOP, daemon=None):
        daemon = daemon or ui_daemon
        context = browser.new_context(viewport=viewport, http_credentials={"username": ADMIN[0], "password": ADMIN[1]})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text} ({m.location})"))
        page.on("pageerror", lambda e: problems.append(f"exception: {e}"))
        page.goto(daemon.url + "/gui/")
        page.wait_for_function("document.querySelector('#sb-conn') && window.__uiReady === true")
        return page

    open_page.expected = []
    yield open_page
    for context in contexts:
        context.close()
    unexpected = [p for p in problems if not any(re.search(e, p) for e in open_page.expected)]
    assert unexpected == [], "console errors or exceptions in the page"


@pytest.fixture
def seeder(tmp_path):
    seed = Seeder(tmp_path / "seed")
    yield seed
    seed.close()
