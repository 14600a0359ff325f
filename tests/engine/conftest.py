"""The engine in the test process with real libtorrent, real files and real loopback peers."""

import pytest

from tests.support.daemon import free_port, wait_for
from tests.support.swarm import Peer, make_files, make_torrent
from utserver.engine import Engine
from utserver.settings import Settings, parse_conf

BASE_CONF = {"bind_ip": "127.0.0.1", "dht": 0, "lsd": 0, "upnp": 0, "natpmp": 0,
             "bt.transp_disposition": 5}  # TCP only: docs/reference/libtorrent.md#loopback-tests


class EngineEnv:
    def __init__(self, tmp_path, conf):
        self.tmp = tmp_path
        self.port = free_port()
        merged = {**BASE_CONF, "bind_port": self.port, "dir_active": str(tmp_path / "active"), **conf}
        text = "".join(f"{k}: {v}\n" for k, v in merged.items())
        (tmp_path / "state").mkdir(exist_ok=True)
        self.settings = Settings(parse_conf(text), tmp_path / "state", cwd=tmp_path)
        self.engine = Engine(self.settings)
        self.engine.open()

    def view(self, info_hash):
        return self.engine.snapshot()[info_hash]

    def wait_view(self, info_hash, check, what, timeout=30):
        """Poll the torrent's view until *check* holds; returns that view."""
        wait_for(lambda: info_hash in self.engine.snapshot() and check(self.view(info_hash)),
                 timeout=timeout, what=what)
        return self.view(info_hash)

    def close(self):
        self.engine.close()


@pytest.fixture
def make_engine(tmp_path):
    envs = []

    def make(conf=None, name="engine"):
        path = tmp_path / name
        path.mkdir()
        env = EngineEnv(path, conf or {})
        envs.append(env)
        return env

    yield make
    for env in envs:
        if env.engine.session is not None:
            env.close()


@pytest.fixture
def seeder(tmp_path):
    peer = Peer()
    yield peer
    peer.close()


@pytest.fixture
def content(tmp_path):
    """A two-file torrent and its data, in a seed folder."""
    root = tmp_path / "seed" / "album"
    data = make_files(root, {"one.bin": 600_000, "sub/two.bin": 900_000})
    return make_torrent(root, piece_size=16384), root.parent, data
