"""Builds and wires the parts; start, reload (SIGHUP / rcf.utmr), stop (SIGTERM / SIGINT / sp.utmr).

Signal handlers do nothing but wake the main thread: the C-level handler writes
the signal number to a pipe (signal.set_wakeup_fd) and the main loop reads it.
Other parts ask for a reload or a stop by sending the same signals to this
process, so there is one path for each.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import Protocol

from utserver import logs, storage
from utserver.options import Options
from utserver.settings import ConfError, ConfFile, Settings, load_conf

log = logging.getLogger("utserver")

_DOWNLOAD_DIRS = ("dir_active", "dir_completed")
_INTERNAL_DIRS = ("dir_torrent_files", "dir_temp_files")


class StartupError(Exception):
    """The daemon cannot start; the message says why (bad conf, unusable folder...)."""


class Part(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class Server:
    def __init__(self, args: Options):
        self.args = args
        self.conf_path = args.configfile.resolve() if args.configfile else None
        settings_path = (args.settingspath or Path(".")).resolve()
        logs.setup(args.logfile.resolve() if args.logfile else None)
        try:
            conf = load_conf(self.conf_path)
        except ConfError as exc:
            raise StartupError(str(exc)) from None
        try:
            storage.make_private_dir(settings_path)
            self.settings = Settings(conf, settings_path)
        except OSError as exc:
            raise StartupError(f"settings path {settings_path}: {exc.strerror}") from None
        logs.set_mask(int(self.settings.get("logmask")))
        self.parts: list[Part] = []

    # --- the lifecycle, as a table of contents ---
    def run(self) -> int:
        """Run until SIGTERM / SIGINT; returns the exit code."""
        wakeup = self._catch_signals()
        self._write_pidfile()
        try:
            prepare_directories(self.settings)
            self.parts = build_parts(self)
            for part in self.parts:
                part.start()
            log.info("utserver started (pid %d, settings in %s)", os.getpid(), self.settings.settings_path)
            self._serve(wakeup)
        finally:
            self._stop_parts()
            log.info("utserver stopped")
            self._remove_pidfile()  # the last sign: whoever waits for it finds the log complete
        return 0

    def _serve(self, wakeup: int) -> None:
        while True:
            for signum in os.read(wakeup, 64):
                if signum == signal.SIGHUP:
                    self.reload()
                elif signum in (signal.SIGTERM, signal.SIGINT):
                    log.info("stopping on %s", signal.Signals(signum).name)
                    return

    def reload(self) -> None:
        """Re-read the conf (settings that always apply from it) and reopen the log file."""
        logs.reopen()
        try:
            conf = load_conf(self.conf_path) if self.conf_path else ConfFile(None)
        except ConfError as exc:
            log.error("reload refused, the running settings stay: %s", exc)
            return
        changed = self.settings.reload(conf)
        logs.set_mask(int(self.settings.get("logmask")))
        prepare_directories(self.settings)
        log.info("configuration reloaded (%d settings changed)", len(changed))

    def _stop_parts(self) -> None:
        for part in reversed(self.parts):
            try:
                part.stop()
            except Exception:  # keep stopping the others: state must still be saved
                log.exception("stopping %s failed", type(part).__name__)
        self.parts = []

    # --- process plumbing ---
    def _catch_signals(self) -> int:
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: None)  # the wakeup fd carries the signal
        return read_end

    def _write_pidfile(self) -> None:
        if self.args.pidfile:
            storage.write_atomic(self.args.pidfile, f"{os.getpid()}\n".encode(), mode=0o644, keep_old=False)

    def _remove_pidfile(self) -> None:
        if self.args.pidfile:
            self.args.pidfile.unlink(missing_ok=True)


def prepare_directories(settings: Settings) -> None:
    """Create missing folders: downloads under the umask, internal ones private. Once there are
    torrents, a missing download folder is most often a disk not mounted yet: it is not created
    in the empty mount point (adding or moving a torrent creates its folder), and the torrents
    whose data is there wait for it (engine/missing.py)."""
    resume = settings.settings_path / "resume"
    has_torrents = resume.is_dir() and any(resume.iterdir())
    for folder in [*(settings.path(name) for name in _DOWNLOAD_DIRS), *settings.dir_download]:
        if folder.is_dir():
            continue
        if has_torrents:
            log.warning("download folder %s is missing: is its disk mounted? (not created)", folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
    for name in _INTERNAL_DIRS:
        if settings.get(name):
            storage.make_private_dir(settings.path(name))


class Opened:
    """A part whose own start/stop names mean something else (the engine's are torrent commands)."""

    def __init__(self, part):
        self.part = part

    def start(self) -> None:
        self.part.open()

    def stop(self) -> None:
        self.part.close()


def build_parts(server: Server) -> list[Part]:
    """The parts in start order; they are stopped in reverse (the web goes first, the engine last)."""
    from utserver.engine import Engine
    from utserver.rss.manager import RssManager
    from utserver.services.autoload import Autoload
    from utserver.services.maintenance import Maintenance
    from utserver.services.portmap import PortMapService
    from utserver.services.tempfiles import TempFileCleanup
    from utserver.web import WebServer

    settings = server.settings
    # built before the engine: its release of switched-off mappings runs first (see PortMapService)
    portmap = PortMapService(settings, local_port=lambda: int(engine.port))
    engine = Engine(settings, lt_upnp=portmap.libtorrent_upnp)
    for alert_class, handler in portmap.alert_handlers().items():  # libtorrent maps as the session opens
        engine.subscribe_alert(alert_class, handler)
    rss = RssManager(settings, settings.settings_path, engine.add_url)
    signal_self = lambda signum: (lambda: os.kill(os.getpid(), signum))  # noqa: E731
    return [
        TempFileCleanup(settings),
        Opened(engine),
        portmap,
        rss,
        Autoload(settings, engine),
        Maintenance(settings, request_reload=signal_self(signal.SIGHUP), request_stop=signal_self(signal.SIGTERM)),
        WebServer(settings, engine, rss=rss, portmap=portmap),
    ]
