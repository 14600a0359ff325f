"""Settings in the browser: checked before sending, saved by the daemon, kept across a restart."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.webui import ui


def open_settings(page, group: str):
    ui.toolbar(page, "Settings").click()
    dlg = ui.dialog(page, "Settings")
    dlg.get_by_role("tab", name=group, exact=True).click()
    return dlg


def test_bad_value_is_refused_next_to_its_field(open_ui, ui_daemon):
    page = open_ui()
    dlg = open_settings(page, "Connection")
    port = dlg.get_by_label("Listening port")
    before = port.input_value()
    port.fill("80")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_be_visible()  # not saved, not closed
    expect(dlg.locator(f"#{port.get_attribute('id')}-err")).to_have_text("Listening port: at least 1025.")
    expect(port).to_have_attribute("aria-invalid", "true")
    port.fill(before)

    # A value only the daemon can judge: its refusal shows next to the field too.
    dlg.get_by_role("tab", name="Web UI & password").click()
    allowed = dlg.get_by_label("Allowed client addresses")
    allowed.fill("not an address")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg.locator(f"#{allowed.get_attribute('id')}-err")).to_contain_text("is not an IP address")
    dlg.get_by_role("button", name="Cancel").click()
    values = dict((s[0], s[2]) for s in ui_daemon.api({"action": "getsettings"})["settings"])
    assert values["bind_port"] == before and values["webui.restrict"] == ""


def test_changed_setting_persists_after_daemon_restart(open_ui, ui_daemon):
    page = open_ui()
    dlg = open_settings(page, "Bandwidth")
    dlg.get_by_label("Download limit", exact=True).fill("1234")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_be_hidden()
    expect(page.locator("#sb-down")).to_contain_text("[1234 KiB/s]")
    page.context.close()

    ui_daemon.restart()
    page = open_ui()
    expect(page.locator("#sb-down")).to_contain_text("[1234 KiB/s]")
    dlg = open_settings(page, "Bandwidth")
    expect(dlg.get_by_label("Download limit", exact=True)).to_have_value("1234")


def test_advanced_table_filters_and_saves_any_setting(open_ui, ui_daemon):
    page = open_ui()
    dlg = open_settings(page, "Advanced")
    dlg.get_by_label("Filter settings").fill("rss.update")
    rows = dlg.locator("#adv-table tbody tr:visible")
    expect(rows).to_have_count(1)
    rows.get_by_label("rss.update_interval").fill("42")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_be_hidden()
    values = dict((s[0], s[2]) for s in ui_daemon.api({"action": "getsettings"})["settings"])
    assert values["rss.update_interval"] == "42"
