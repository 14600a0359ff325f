"""The one coupling to the engine: the options RSS builds are the engine's AddOptions."""

from __future__ import annotations

import pytest

from utserver.engine import AddOptions
from utserver.rss.manager import engine_options

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


def test_default_options_are_the_engines_add_options():
    options = engine_options(save_path="/tv", label="TV", stopped=True, rss_feed_url="http://127.0.0.1/rss")
    assert options == AddOptions(save_path="/tv", label="TV", stopped=True, rss_feed_url="http://127.0.0.1/rss")
