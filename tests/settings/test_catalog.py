"""The catalog is the single source of truth: walk it once."""

import re
from pathlib import Path

import pytest

from utserver.settings import BY_NAME, CATALOG, Applies, Kind
from utserver.settings.catalog import Setting

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

# The manual's settings, in the repository: docs/reference/settings.md#settings.
MANUAL = Path(__file__).resolve().parents[2] / "docs" / "reference" / "settings.md"
ROW = re.compile(r"^\| `([a-z_]+)` \| (string|integer|boolean) \| [^|]* \| (internal|regular) \| ([a-z ]+) \|$", re.M)
KINDS = {"string": Kind.STR, "integer": Kind.INT, "boolean": Kind.BOOL}
APPLIES = {"every read": Applies.ALWAYS, "first run": Applies.FIRST_RUN, "start": Applies.STARTUP}


def manual_settings() -> dict[str, tuple[str, str]]:
    """name -> (type, when the conf value applies) for every row of the manual's settings table."""
    return {name: (kind, when) for name, kind, _, when in ROW.findall(MANUAL.read_text(encoding="utf-8"))}


def test_every_setting_of_the_manual_is_in_the_catalog():
    names = manual_settings()
    assert len(names) >= 50
    assert set(names) <= set(BY_NAME)


def test_types_and_reload_rules_follow_the_manual():
    for name, (kind, when) in manual_settings().items():
        assert BY_NAME[name].kind is KINDS[kind], name
        if when in APPLIES:  # "not stated": the catalog chooses
            assert BY_NAME[name].applies is APPLIES[when], name


def test_settings_real_clients_read_are_in_the_catalog():
    for name in ("webui.cookie", "webui.uconnect_enable", "dir_active_download", "dir_active_download_flag",
                 "dir_completed_download", "dir_completed_download_flag", "dir_add_label"):
        assert BY_NAME[name].api in ("Y", "R")


def test_reloadable_settings_of_the_manual_always_apply():
    for name in ("dir_download", "dir_request", "disk_cache_max_size", "localhost_authentication", "logmask",
                 "preferred_interface", "progressive_piece_span", "uconnect_enable", "uconnect_password",
                 "uconnect_username", "ut_webui_dir", "write_coalesce_max_size"):
        assert BY_NAME[name].applies is Applies.ALWAYS, name
    for name in ("admin_name", "admin_password", "low_cpu", "bind_port", "max_dl_rate"):
        assert BY_NAME[name].applies is Applies.FIRST_RUN, name
    for name in ("randomize_bind_port", "token_auth_filter", "encrypt_buffer_size"):
        assert BY_NAME[name].applies is Applies.STARTUP, name


def test_rows_are_well_formed():
    assert len(BY_NAME) == len(CATALOG)
    for setting in CATALOG:
        assert isinstance(setting, Setting)
        expected = {Kind.INT: int, Kind.BOOL: bool, Kind.STR: str}[setting.kind]
        assert type(setting.default) is expected, setting.name
        assert setting.api in ("Y", "R", "W", ""), setting.name
        if setting.kind is Kind.INT and setting.lo is not None:
            assert setting.default >= setting.lo, setting.name
    assert BY_NAME["admin_password"].api == "W"  # never readable
