"""Short modules: none in utserver/ is over 400 lines."""
from __future__ import annotations

import pytest

from tests.structure.modules import modules

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

LIMIT = 400


def test_no_module_is_over_400_lines():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in lengths.items() if n > LIMIT} == {}
