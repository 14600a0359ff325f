import pytest

from tests.qbittorrent.support import Qbt, logged_in
from tests.support.daemon import Daemon


@pytest.fixture(scope="module")
def qbt_daemon(tmp_path_factory):
    """One real daemon for a module's tests (each test adds its own torrents), guest account on."""
    daemon = Daemon(tmp_path_factory.mktemp("qbt"), {"webui.enable_guest": 1}).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def qbt(qbt_daemon) -> Qbt:
    """A logged-in admin session."""
    return logged_in(qbt_daemon)
