import pytest

from tests.support.daemon import Daemon


@pytest.fixture
def make_daemon(tmp_path):
    """Factory of real utserver processes; every one started is stopped after the test."""
    started: list[Daemon] = []

    def make(conf: dict | None = None, name: str = "daemon", **kw) -> Daemon:
        daemon = Daemon(tmp_path / name, conf, **kw)
        started.append(daemon)
        return daemon

    yield make
    for daemon in started:
        if daemon.proc and daemon.proc.poll() is None:
            daemon.stop()


@pytest.fixture
def daemon(make_daemon):
    """A running utserver with the test defaults (loopback only, password testpass)."""
    return make_daemon().start()
