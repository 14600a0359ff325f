"""Build utserver's OpenWrt .ipk without the SDK, reproducibly (stdlib only).

Usage: mkipk.py --root STAGED_ROOT --out DIR

The control fields come from the feed package's Makefile (openwrt/net/utserver/Makefile),
the one source shared with an SDK build. The container is OpenWrt's: a gzipped tar holding
./debian-binary, ./data.tar.gz and ./control.tar.gz (opkg rejects the ar form of a .deb).
Every member gets uid/gid 0 and mtime SOURCE_DATE_EPOCH (default: the last git commit),
members are sorted and gzip headers carry no time, so the same inputs give the same bytes.
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import subprocess
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FEED_MAKEFILE = HERE / "net" / "utserver" / "Makefile"

# The maintainer scripts OpenWrt's build generates for every package: base-files'
# default_postinst creates the Require-User user, enables the init script and
# starts it on a live system; default_prerm stops and disables it.
POSTINST = """#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
"""
PRERM = """#!/bin/sh
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
"""


def makefile_fields(path: Path = FEED_MAKEFILE) -> dict[str, str]:
    """NAME:=value assignments and define blocks of the feed Makefile (continuations joined)."""
    text = path.read_text().replace("\\\n", " ")
    fields = {m[1].strip(): " ".join(m[2].split()) for m in re.finditer(r"^\s*([A-Z_]+):=(.*)$", text, re.M)}
    for name, body in re.findall(r"^define (\S+)\n(.*?)^endef", text, re.M | re.S):
        fields[name] = body.strip("\n")
    return fields


def control_text(f: dict[str, str], installed_size: int) -> str:
    deps = ", ".join(["libc"] + [d.lstrip("+") for d in f["DEPENDS"].split()])
    description = " ".join(f["Package/utserver/description"].split())
    return "".join(
        f"{key}: {value}\n"
        for key, value in [
            ("Package", f["PKG_NAME"]),
            ("Version", f"{f['PKG_VERSION']}-r{f['PKG_RELEASE']}"),
            ("Depends", deps),
            ("Source", "openwrt/net/utserver"),
            ("SourceName", f["PKG_NAME"]),
            ("License", f["PKG_LICENSE"]),
            ("Section", f["SECTION"]),
            ("URL", f["URL"]),
            ("Require-User", f["USERID"]),
            ("Maintainer", f["PKG_MAINTAINER"]),
            ("Architecture", f["PKGARCH"]),
            ("Installed-Size", str(installed_size)),
            ("Description", description),
        ]
    )


def _tar_gz(entries: list[tuple[str, bytes | None, int]], mtime: int) -> bytes:
    """A gzipped tar of (name, data or None for a directory, mode) with fixed owner and time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = mode, mtime, 0, 0, "root", "root"
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="", compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def tree_entries(root: Path) -> list[tuple[str, bytes | None, int]]:
    entries: list[tuple[str, bytes | None, int]] = [("./", None, 0o755)]
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        name = "./" + path.relative_to(root).as_posix()
        if path.is_symlink():
            raise SystemExit(f"mkipk: symlinks are not supported: {path}")
        if path.is_dir():
            entries.append((name + "/", None, 0o755))
        else:
            entries.append((name, path.read_bytes(), 0o755 if os.access(path, os.X_OK) else 0o644))
    return entries


def source_date_epoch() -> int:
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=HERE, capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def build(root: Path, out_dir: Path) -> Path:
    f = makefile_fields()
    mtime = source_date_epoch()
    data_entries = tree_entries(root)
    size = sum(len(d) for _, d, _ in data_entries if d is not None)
    conffiles = [line for line in f["Package/utserver/conffiles"].split() if (root / line.lstrip("/")).is_file()]
    control = [
        ("./", None, 0o755),
        ("./conffiles", "".join(c + "\n" for c in conffiles).encode(), 0o644),
        ("./control", control_text(f, size).encode(), 0o644),
        ("./postinst", POSTINST.encode(), 0o755),
        ("./prerm", PRERM.encode(), 0o755),
    ]
    outer = [
        ("./debian-binary", b"2.0\n", 0o644),
        ("./data.tar.gz", _tar_gz(data_entries, mtime), 0o644),
        ("./control.tar.gz", _tar_gz(control, mtime), 0o644),
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{f['PKG_NAME']}_{f['PKG_VERSION']}-r{f['PKG_RELEASE']}_{f['PKGARCH']}.ipk"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(_tar_gz(outer, mtime))
    tmp.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="staged root (make install DESTDIR=...)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args()
    target = build(args.root, args.out)
    print(f"{target}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
