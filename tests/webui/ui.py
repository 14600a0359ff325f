"""What a user does in the web UI, as small steps shared by the tests."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.support.daemon import wait_for


def row(page: Page, name: str) -> Locator:
    return page.locator("#torrents tbody tr", has=page.locator("td.name .n", has_text=name))


def dialog(page: Page, title: str) -> Locator:
    return page.get_by_role("dialog", name=title)


def toolbar(page: Page, name: str) -> Locator:
    return page.get_by_role("toolbar").get_by_role("button", name=name, exact=True)


def add(page: Page, files: list[Path] = (), urls: list[str] = (), label: str = "", stopped: bool = False,
        sub_path: str = "") -> None:
    """Adds torrents through the Add dialog and waits for it to close."""
    toolbar(page, "Add torrent").click()
    dlg = dialog(page, "Add torrents")
    if files:
        dlg.get_by_label("Torrent files").set_input_files([str(f) for f in files])
    if urls:
        dlg.get_by_label("URLs or magnet links").fill("\n".join(urls))
    if label:
        dlg.get_by_label("Label", exact=True).fill(label)
    if sub_path:
        dlg.get_by_label("Sub-folder").fill(sub_path)
    if stopped:
        dlg.get_by_label("Add stopped").check()
    dlg.get_by_role("button", name="Add", exact=True).click()
    expect(dlg).to_be_hidden()


def select(page: Page, name: str) -> None:
    row(page, name).locator("td.name").click()
    expect(row(page, name)).to_have_attribute("aria-selected", "true")


def progress(page: Page, name: str) -> str:
    cell = row(page, name).locator("td.progress")
    return cell.inner_text().strip() if cell.count() else ""


def wait_downloaded(page: Page, name: str, seeder, port: int, timeout: float = 90) -> None:
    """Keeps the seeder dialing the daemon until the list shows the torrent at 100 %."""
    last_dial = [0.0]

    def done() -> bool:
        if time.monotonic() - last_dial[0] > 2:  # libtorrent delays reconnects; dial again
            seeder.connect(port)
            last_dial[0] = time.monotonic()
        return progress(page, name) == "100.0%"
    wait_for(done, timeout=timeout, interval=0.25, what=f"{name} at 100 % in the list")


def open_tab(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name=name, exact=True).click()
    return page.get_by_role("tabpanel", name=name)


# Controls without an accessible name: aria-label, aria-labelledby, a <label>, text or title.
UNNAMED_JS = """() => [...document.querySelectorAll('button, input, select, textarea, [role=tab]')]
  .filter(el => el.getClientRects().length > 0 && el.type !== 'hidden')
  .filter(el => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || (el.labels && el.labels.length) || el.title || (el.tagName === 'BUTTON' && el.textContent.trim())))
  .map(el => el.outerHTML.slice(0, 120))"""


def unnamed_controls(page: Page) -> list[str]:
    return page.evaluate(UNNAMED_JS)
