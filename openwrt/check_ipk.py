"""Structural check of an OpenWrt .ipk, what opkg and base-files rely on (stdlib only).

Usage: check_ipk.py PACKAGE.ipk   -- prints what it checked; exits 1 with the problems found.
Real opkg cannot be built in CI (its source is not in a registry), so this checks its rules:
container, control fields, conffiles, maintainer and init scripts.
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
import tarfile
from pathlib import Path

REQUIRED_FIELDS = ("Package", "Version", "Architecture", "Maintainer", "Description", "Depends", "Require-User")


def members(blob: bytes) -> dict[str, tarfile.TarInfo | bytes]:
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        out: dict[str, tarfile.TarInfo | bytes] = {}
        for info in tar.getmembers():
            out[info.name] = info
            if info.isfile():
                out[info.name + "#data"] = tar.extractfile(info).read()
        return out


def parse_control(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line and not line.startswith(" "))


def check(path: Path) -> list[str]:
    problems: list[str] = []
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b" or not tarfile.is_tarfile(path):
        return ["not a gzipped tar: opkg only reads OpenWrt's tar.gz container, not a .deb's ar"]
    with tarfile.open(path, mode="r:gz") as outer:
        names = outer.getnames()
        if names != ["./debian-binary", "./data.tar.gz", "./control.tar.gz"]:
            return [f"outer members {names}: want ./debian-binary ./data.tar.gz ./control.tar.gz (gzipped tar)"]
        blobs = {n: outer.extractfile(n).read() for n in names}
    if blobs["./debian-binary"] != b"2.0\n":
        problems.append("debian-binary is not '2.0'")
    control, data = members(blobs["./control.tar.gz"]), members(blobs["./data.tar.gz"])

    fields = parse_control(control.get("./control#data", b"").decode())
    problems += [f"control lacks {f}" for f in REQUIRED_FIELDS if not fields.get(f)]
    if not re.fullmatch(r"[a-z0-9.+-]+", fields.get("Package", "")):
        problems.append(f"bad package name {fields.get('Package')!r}")
    if path.name != f"{fields.get('Package')}_{fields.get('Version')}_{fields.get('Architecture')}.ipk":
        problems.append(f"file name {path.name} does not match the control fields")

    for conffile in control.get("./conffiles#data", b"").decode().split():
        if "." + conffile not in data:
            problems.append(f"conffile {conffile} is not in data.tar.gz")
    for name in ("./postinst", "./prerm"):
        info = control.get(name)
        if not isinstance(info, tarfile.TarInfo) or info.mode & 0o755 != 0o755:
            problems.append(f"{name} missing or not 0755")
        else:
            problems += _sh_n(name, control[name + "#data"])

    init = data.get("./etc/init.d/utserver")
    if not isinstance(init, tarfile.TarInfo) or init.mode & 0o755 != 0o755:
        problems.append("./etc/init.d/utserver missing or not 0755")
    else:
        script = data["./etc/init.d/utserver#data"]
        if not script.startswith(b"#!/bin/sh /etc/rc.common\n"):
            problems.append("init script does not start with '#!/bin/sh /etc/rc.common'")
        problems += _sh_n("init script", script)
    for required in ("./usr/bin/utserver", "./usr/share/utserver/webui.zip",
                     "./usr/share/utserver/utserver/__main__.py", "./etc/config/utserver"):
        if required not in data:
            problems.append(f"{required} is not in data.tar.gz")
    owners = {(i.uid, i.gid) for i in list(control.values()) + list(data.values()) if isinstance(i, tarfile.TarInfo)}
    if owners != {(0, 0)}:
        problems.append(f"members not owned by root: {owners}")
    return problems


def _sh_n(what: str, script: bytes) -> list[str]:
    done = subprocess.run(["sh", "-n"], input=script, capture_output=True)
    return [] if done.returncode == 0 else [f"{what}: sh -n: {done.stderr.decode().strip()}"]


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[2])
    problems = check(Path(sys.argv[1]))
    for problem in problems:
        print(f"check_ipk: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_ipk: {sys.argv[1]}: container, control, conffiles, scripts OK")


if __name__ == "__main__":
    main()
