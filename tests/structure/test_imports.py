"""Dependencies point one way: no import cycle in utserver/, the engine reached only through its facade,
the web fronts reached only by the server and never by each other."""
from __future__ import annotations

import pytest

from tests.structure.modules import Edge, cycles, edges, modules

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

ENGINE = "utserver.engine"
WEB = "utserver.web"
FRONTS = ("utserver.web.utorrent", "utserver.web.qbittorrent", "utserver.web.transmission")


@pytest.fixture(scope="module")
def graph() -> list[Edge]:
    return edges(modules())


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read(graph):
    # Both kinds of edge are seen: top-level ones and lazy ones (server.build_parts imports the parts).
    assert any(e.source == "utserver.cli" and e.target == "utserver.options" for e in graph)
    assert any(e.source == "utserver.server" and e.target == ENGINE for e in graph)
    assert len(modules()) > 50


def test_no_import_cycle(graph):
    runtime: dict[str, set[str]] = {}
    for edge in graph:
        if not edge.type_only:  # an import for type checking only never runs
            runtime.setdefault(edge.source, set()).add(edge.target)
    assert cycles(runtime) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_outside_the_engine_only_its_facade_is_imported(graph):
    deep = [f"{e.source}:{e.line} imports {e.target}" for e in graph
            if not inside(e.source, ENGINE) and inside(e.target, ENGINE) and e.target != ENGINE]
    assert deep == []


def test_only_the_server_imports_the_web(graph):
    found = [f"{e.source}:{e.line} imports {e.target}" for e in graph
             if inside(e.target, WEB) and not inside(e.source, WEB) and e.source != "utserver.server"]
    assert found == []


def test_a_front_never_imports_another(graph):
    found = [f"{e.source}:{e.line} imports {e.target}" for e in graph for front in FRONTS
             if inside(e.source, front) and any(inside(e.target, other) for other in FRONTS if other != front)]
    assert found == []
