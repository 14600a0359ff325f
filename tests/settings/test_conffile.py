"""utserver.conf parsing (manual, "Configuration File")."""

import logging
from pathlib import Path

import pytest

from utserver.settings import ConfError, parse_conf

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


def test_every_value_type_comments_blanks_and_whitespace():
    conf = parse_conf(
        "# a comment\n\n   # an indented comment\n"
        "  bind_port :  7000  \n"          # int, spaces around name, colon and value
        "dht: 0\nlsd: true\n"               # booleans as 0/1 and as words
        "dir_temp_files: my temp dir\n"     # strings keep inner spaces
        "max_ul_rate: -1\n"
    )
    assert conf.values == {"bind_port": 7000, "dht": False, "lsd": True,
                           "dir_temp_files": "my temp dir", "max_ul_rate": -1}


def test_dir_download_is_repeatable_and_keeps_its_order():
    conf = parse_conf("dir_download: /srv/b\ndir_download: /srv/a\ndir_download: /srv/c\n")
    assert conf.dir_download == ["/srv/b", "/srv/a", "/srv/c"]


@pytest.mark.parametrize("line, reason", [
    ("bind_port: eighty", "is not a whole number"),
    ("dht: maybe", "is not a boolean"),
    ("bind_port: 80", "below the minimum 1025"),
    ("disk_cache_max_size: 4096", "above the maximum 512"),
    ("just some words", "expected 'name: value'"),
    ("admin_name:", "admin_name may not be empty"),  # would lock everyone out of the web UI
])
def test_a_bad_line_names_the_file_and_line(line, reason):
    with pytest.raises(ConfError) as err:
        parse_conf(f"# ok\nbind_port: 7000\n{line}\n", Path("/etc/utserver.conf"))
    assert str(err.value).startswith("/etc/utserver.conf:3: ")
    assert reason in str(err.value)


def test_an_unknown_setting_is_a_warning_not_an_error(caplog):
    with caplog.at_level(logging.WARNING):
        conf = parse_conf("no_such_setting: 1\nbind_port: 7000\n", Path("u.conf"))
    assert conf.values == {"bind_port": 7000}
    assert "u.conf:1: unknown setting 'no_such_setting' ignored" in caplog.text
