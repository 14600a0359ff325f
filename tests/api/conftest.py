import pytest

from tests.support.daemon import Daemon


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory):
    """One real daemon for a module's tests that do not need a fresh one (each adds its own torrents)."""
    daemon = Daemon(tmp_path_factory.mktemp("api")).start()
    yield daemon
    daemon.stop()
