"""finish_cmd / state_cmd: warn when a substitution lands inside a shell's script string.

The daemon runs these commands without a shell (engine/events.py), so `%N` is one argument
whatever the name holds. `sh -c "echo %N > out"` hands the name to a shell as script text: a
torrent named `x; rm -rf ~` runs that command. The safe form passes values as arguments:
`sh -c 'echo "$1" > out' sh %N`.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shlex

log = logging.getLogger("utserver.settings")

COMMANDS = ("finish_cmd", "state_cmd")
SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"}
_SUBSTITUTION = re.compile(r"%[FDNSPLTMI]")


def shell_script_substitution(command: str) -> str | None:
    """The shell script word of *command* that holds a substitution, or None when it is safe."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None  # events.py refuses it at run time and logs why
    if not words or posixpath.basename(words[0]) not in SHELLS:
        return None
    for flag, script in zip(words, words[1:], strict=False):
        if flag.startswith("-") and "c" in flag[1:] and _SUBSTITUTION.search(script):
            return script
    return None


def warn_if_unsafe(name: str, command: str, where: str) -> None:
    script = shell_script_substitution(command)
    if script is not None:
        log.warning("%s (%s): %r puts a torrent's value into a shell's script text, where a crafted name "
                    "runs commands; pass values as arguments instead: sh -c '... \"$1\" ...' sh %%N",
                    name, where, script)
