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
from collections.abc import Callable

from utserver.engine.jobs import Job
from utserver.engine.views import TorrentView

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


def substitutions(job: Job, view: TorrentView, previous: int, folder: str | None = None) -> dict[str, str]:
    """The manual's %F %D %N %S %P %L %T %M %I for *job* as *view* shows it; *folder* is where
    the files are when it differs from the view's (finish_cmd right after a move)."""
    h = job.handle
    info = h.torrent_file() if h is not None and h.is_valid() else None
    single = info is not None and info.num_files() == 1
    trackers = h.trackers() if h is not None and h.is_valid() else []
    return {"F": view.name if single else "", "D": folder or view.save_path, "N": view.name,
            "S": str(int(view.state)), "P": str(previous), "L": view.label,
            "T": trackers[0]["url"] if trackers else "", "M": view.status_message, "I": job.hash}


class StateReporter:
    """state_cmd on every change of a torrent's state code, wherever its view was rebuilt
    (a table listener: runs under the table's lock, so it only starts the command)."""

    def __init__(self, runner: EventRunner, command: Callable[[], str]):
        self.runner, self.command = runner, command

    def on_view(self, job: Job, view: TorrentView) -> None:
        if view.state != job.last_state:
            job.previous_state, job.last_state = job.last_state, int(view.state)
            command = self.command()
            if job.previous_state and command.strip():  # substitutions wait for libtorrent twice
                self.runner.run(command, substitutions(job, view, job.previous_state))
