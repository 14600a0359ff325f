import functools
import http.server
import threading

import pytest

from tests.support.daemon import Daemon
from tests.transmission.support import CONF, DEBIAN_WEB, Rpc


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory):
    """One real daemon for a module's tests that do not need a fresh one (each adds its own torrents)."""
    daemon = Daemon(tmp_path_factory.mktemp("trpc"), {**CONF, "tr_webui_dir": str(DEBIAN_WEB)}).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def rpc(shared_daemon) -> Rpc:
    return Rpc(shared_daemon)


@pytest.fixture
def file_server(tmp_path):
    """A loopback HTTP server for .torrent files (torrent-add by URL): (folder, base URL)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
