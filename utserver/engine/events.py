"""finish_cmd / state_cmd: run asynchronously, in a new process group, with % substitutions.

No shell ever parses a torrent's name: the command is split into words first
(shlex, like a shell would), then each %X is replaced inside the words, and the
words are executed directly. `$(touch x)` in a name stays a literal argument.
Users who want pipes or redirection write `sh -c '... "$1" ...' sh %N`.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess

log = logging.getLogger("utserver.engine")

_SUBSTITUTION = re.compile(r"%([FDNSPLTMI%])")


def expand(command: str, values: dict[str, str]) -> list[str]:
    """The argv of *command* with the manual's %F %D %N %S %P %L %T %M %I replaced."""
    values = {**values, "%": "%"}
    return [_SUBSTITUTION.sub(lambda m: values.get(m.group(1), ""), word) for word in shlex.split(command)]


class EventRunner:
    """Starts event commands without waiting; reaps them later so no zombies pile up."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen] = []

    def run(self, command: str, values: dict[str, str]) -> None:
        if not command.strip():
            return
        try:
            argv = expand(command, values)
            self._running.append(subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, close_fds=True))
        except (OSError, ValueError) as exc:
            log.error("cannot run %r: %s", command, exc)

    def reap(self) -> None:
        self._running = [proc for proc in self._running if proc.poll() is None]
