"""Issue 14 item 10: a substitution inside a shell's script string is warned about."""

from __future__ import annotations

import pytest

from tests.support.daemon import wait_for
from utserver.settings.commands import shell_script_substitution

UNSAFE = ['sh -c "echo %N > out"', "bash -c 'echo \"%N\"'", '/bin/sh -ec "touch %D/done"', "busybox sh -c 'x %F'"]
SAFE = ["sh -c 'echo \"$1\" > out' sh %N", "/usr/local/bin/notify %N %D", "echo %N", "sh /srv/done.sh %F", ""]


@pytest.mark.parametrize("command", UNSAFE)
def test_unsafe_forms_are_found(command):
    assert shell_script_substitution(command) is not None


@pytest.mark.parametrize("command", SAFE)
def test_safe_forms_pass(command):
    assert shell_script_substitution(command) is None


def test_the_daemon_warns_for_the_conf_and_for_setsetting(make_daemon):
    daemon = make_daemon({"finish_cmd": 'sh -c "echo %N > out"'}).start()
    assert "finish_cmd (in effect at start)" in daemon.log() and "shell's script text" in daemon.log()
    reply = daemon.api([("action", "setsetting"), ("s", "state_cmd"), ("v", "bash -c 'logger %N'")])
    assert "error" not in reply  # a warning, not a refusal: the owner may know the names are safe
    wait_for(lambda: "state_cmd (setsetting)" in daemon.log(), timeout=5, what="the warning")
    daemon.api([("action", "setsetting"), ("s", "state_cmd"), ("v", "sh -c 'logger \"$1\"' sh %N")])
    assert daemon.log().count("shell's script text") == 2
