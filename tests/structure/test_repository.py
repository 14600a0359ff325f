"""The repository stands alone: a plain clone has every fact its code and tests rely on."""
from __future__ import annotations

import re

import pytest

from tests.structure.conftest import REPO

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

# A path that climbs, e.g. "../x/y.md", read from the repository's root: it may name nothing or a
# single name (a traversal attempt in a test, "../x") or a file of the repository, never one in a
# folder beside the clone.
CLIMBING = re.compile(r"(?:\.\./)+[\w.-]+(?:/[\w.-]+)*")
# An absolute path into the workplace the repository was written in.
WORKPLACE = re.compile("/" + "work/")
CITATION = re.compile(r"docs/reference/([\w.-]+\.md)((?:#[\w-]+(?:,\s*#[\w-]+)*)?)")


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as dashes."""
    found = set()
    for heading in re.findall(r"^#+\s+(.+?)\s*$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_no_tracked_file_refers_to_files_outside_the_repository(tracked):
    offenders = [f"{name}:{text[:m.start()].count(chr(10)) + 1}" for name, text in tracked.items()
                 for m in CLIMBING.finditer(text) if _beside_the_clone(REPO / m.group(0))]
    offenders += [f"{name}:{text[:m.start()].count(chr(10)) + 1}" for name, text in tracked.items()
                  for m in WORKPLACE.finditer(text)]
    assert offenders == []


def _beside_the_clone(path) -> bool:
    target = path.resolve()
    beside = REPO.resolve().parent
    return target.exists() and beside in target.parents and target.parent != beside \
        and REPO.resolve() not in [target, *target.parents]


def test_every_reference_citation_names_an_existing_section(tracked):
    pages = {p.name: anchors(p.read_text(encoding="utf-8")) for p in (REPO / "docs" / "reference").glob("*.md")}
    broken = []
    for name, text in tracked.items():
        for m in CITATION.finditer(text):
            page, sections = m.group(1), re.findall(r"#([\w-]+)", m.group(2))
            if page not in pages or any(s not in pages[page] for s in sections):
                broken.append(f"{name}: {m.group(0)}")
    assert broken == []
    assert len(pages) >= 6


def test_the_anchor_rule_matches_github():
    assert anchors("## Settings clients read\n## Web UI zip\n## getpeers\n") == {
        "settings-clients-read", "web-ui-zip", "getpeers"}
