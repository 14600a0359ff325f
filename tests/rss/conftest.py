"""Fixtures of the RSS tests (the parts themselves are in support.py)."""

from __future__ import annotations

import pytest

from tests.rss.support import SETTINGS, Engine, FeedServer, Options, Releases, Settings
from utserver.rss.manager import RssManager


@pytest.fixture
def server():
    feed_server = FeedServer()
    yield feed_server
    feed_server.close()


@pytest.fixture
def engine():
    return Engine()


@pytest.fixture
def settings():
    return Settings(SETTINGS)


@pytest.fixture
def managers(tmp_path, engine, settings):
    """Start RssManagers on tmp_path/state (call it again for a restart); all stopped at the end."""
    started: list[RssManager] = []

    def start() -> RssManager:
        for manager in started:
            manager.stop()
        manager = RssManager(settings, tmp_path / "state", engine.add_torrent, make_options=Options)
        manager.start()
        started.append(manager)
        return manager

    (tmp_path / "state").mkdir()
    yield start
    for manager in started:
        manager.stop()


@pytest.fixture
def releases(server, tmp_path):
    return Releases(server, tmp_path / "content")
