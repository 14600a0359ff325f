"""The repository stands alone: a plain clone has every fact its code and tests rely on."""
from __future__ import annotations

import re

import pytest

from tests.structure.conftest import REPO

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

# Written split so that this file does not match itself.
OUTSIDE = re.compile("|".join(re.escape(s) for s in ("../" + "shared", "shared" + "/reference", "shared" + "/bench",
                                                      "/work/" + "shared")))
# Documents that lived outside the repository; their facts are in docs/reference/ now.
RETIRED = re.compile("api" + "-compat|libtorrent" + "-notes|network-test" + "-notes|peers" + "-notes|packaging"
                     + "-notes|style" + "-examples")
# TEMPORARY: the lead removes this with the engine rewrite (the engine's comments still cite the
# retired documents; the mapping to docs/reference/ is in the infra report).
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
                 for m in OUTSIDE.finditer(text)]
    assert offenders == []


def test_no_citation_of_retired_documents(tracked):
    offenders = [f"{name}:{text[:m.start()].count(chr(10)) + 1}" for name, text in tracked.items() for m in RETIRED.finditer(text)]
    assert offenders == []


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
