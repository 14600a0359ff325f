"""Build webui.zip from this folder: `python3 webui/build.py OUT.zip`.

Reproducible: members sorted by name, fixed timestamps and permissions, so the same sources give
the same bytes. Every UI file sits at the zip root (index.html first-level), as the daemon serves
/gui/NAME from the root. Python files (this builder, the screenshot script) stay out.

index.html gets a modulepreload link for every module but main.js, so the browser asks for all of
them at once instead of finding the imports one level at a time (four round trips).
"""
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIPPED = {".html", ".css", ".js", ".svg", ".png", ".ico"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MODE = 0o100644 << 16  # regular file, rw-r--r--
ENTRY = '<script type="module" src="main.js"></script>'


def members() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if p.is_file() and p.suffix in SHIPPED)


def preloaded(html: str, modules: list[str]) -> str:
    if ENTRY not in html:
        sys.exit(f"index.html has no {ENTRY}")
    links = "".join(f'<link rel="modulepreload" href="{name}">\n' for name in modules if name != "main.js")
    return html.replace(ENTRY, links + ENTRY, 1)


def content(path: Path, modules: list[str]) -> bytes:
    if path.name == "index.html":
        return preloaded(path.read_text(encoding="utf-8"), modules).encode()
    return path.read_bytes()


def build(out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    shipped = members()
    modules = [p.name for p in shipped if p.suffix == ".js"]
    with zipfile.ZipFile(tmp, "w") as zf:
        for path in shipped:
            info = zipfile.ZipInfo(path.name, FIXED_TIME)
            info.external_attr = MODE
            info.create_system = 3  # unix, so the mode above means the same everywhere
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content(path, modules), compresslevel=9)
    tmp.replace(out)
    return out.stat().st_size


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: build.py OUT.zip")
    size = build(Path(sys.argv[1]))
    print(f"{sys.argv[1]}: {size} bytes ({size / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
