"""The .deb as built: lintian-clean, reproducible, the declared dependencies, one version."""
from __future__ import annotations

import hashlib
import re
import shutil

from .pkgtools import REPO, SYS_ENV, run, version


def test_deb_is_lintian_clean(deb):
    done = run(["lintian", "--fail-on", "error,warning", str(deb)], check=False, env=SYS_ENV)
    problems = [line for line in done.stdout.splitlines() if re.match(r"[EW]: ", line)]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_deb_rebuild_is_byte_identical(deb):
    first = hashlib.sha256(deb.read_bytes()).hexdigest()
    kept = deb.with_name("first-build.deb")
    shutil.copy(deb, kept)
    # Build again from the same tree: dpkg-buildpackage takes SOURCE_DATE_EPOCH from debian/changelog.
    run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=deb.parent / f"utserver-{version()}", env=SYS_ENV)
    assert hashlib.sha256(deb.read_bytes()).hexdigest() == first, "two builds of the same tree differ"


def test_deb_declares_architecture_all_and_debian_dependencies(deb):
    fields = run(["dpkg-deb", "-f", str(deb)]).stdout
    assert re.search(r"^Architecture: all$", fields, re.M)
    depends = re.search(r"^Depends: (.*)$", fields, re.M)[1]
    for package in ("python3-libtorrent", "python3-bottle", "python3-cheroot", "python3-netifaces",
                    "python3-miniupnpc", "adduser"):
        assert package in depends
    assert re.search(r"^Recommends: .*python3-feedparser", fields, re.M)


def test_package_versions_agree_with_pyproject():
    changelog = run(["dpkg-parsechangelog", "-S", "Version"], env=SYS_ENV).stdout.strip()
    openwrt = re.search(r"^PKG_VERSION:=(.+)$", (REPO / "openwrt/net/utserver/Makefile").read_text(), re.M)[1]
    assert changelog == openwrt == version()
