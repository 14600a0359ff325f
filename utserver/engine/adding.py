"""Turning an add request into libtorrent add_torrent_params and the folders it goes to."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import libtorrent as lt

from utserver import fetch
from utserver.engine.jobs import FORCED, QUEUED, STOPPED, Job
from utserver.engine.views import AddOptions
from utserver.settings import Settings

MAX_TORRENT_BYTES = 20 * 1024 * 1024  # a .torrent this large is an error, not a torrent
FETCH_TIMEOUT = 30


class AddError(ValueError):
    """A torrent that cannot be added; the message is shown to the user."""


def hash_of(info_hashes) -> str:
    """Our key for a torrent: the v1 info-hash, else the v2 one cut to 40 hex digits, upper case."""
    if info_hashes.has_v1():
        return str(info_hashes.v1).upper()
    return str(info_hashes.v2)[:40].upper()


def params_from_bytes(data: bytes) -> lt.add_torrent_params:
    try:
        decoded: Any = lt.bdecode(data)
        info = lt.torrent_info(decoded) if data.startswith(b"d") else None
    except (RuntimeError, TypeError, ValueError) as exc:
        raise AddError(f"not a valid .torrent file: {exc}") from None
    if info is None:
        raise AddError("not a valid .torrent file")
    params = lt.add_torrent_params()
    params.ti = info
    return params


def params_from_magnet(uri: str) -> tuple[lt.add_torrent_params, str]:
    """The params of a magnet link and its display name (dn, "+" read as a space: docs/reference/utorrent-clients.md#magnet-name)."""
    try:
        params = lt.parse_magnet_uri(uri)
    except (RuntimeError, ValueError) as exc:
        raise AddError(f"not a valid magnet link: {exc}") from None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    name = query.get("dn", [""])[0]
    return params, name


def fetch_torrent(url: str) -> bytes:
    """The body of an http(s) URL, with µTorrent's `URL:COOKIE:a=b;c=d` suffix sent as a cookie."""
    url, cookie = fetch.split_cookie(url)
    try:
        result = fetch.fetch(url, timeout=FETCH_TIMEOUT, max_bytes=MAX_TORRENT_BYTES,
                             headers={"Cookie": cookie} if cookie else None)
    except fetch.FetchError as exc:
        raise AddError(str(exc)) from None
    return result.body


NAME_MAX, PATH_MAX = 255, 1024  # Linux file systems' limit per name; a sane sub-path in all


def safe_sub_path(sub_path: str) -> PurePosixPath:
    """A relative path that cannot climb out of its folder (a leading / is relative:
    docs/reference/utorrent-clients.md#add-path). The one confinement rule: add paths, RSS
    "save in" sub-folders, label folders and file renames all go through it (and confine())."""
    if "\0" in sub_path:
        raise AddError("the path contains a NUL character")
    parts = [p for p in re.split(r"[/\\]+", sub_path.strip()) if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise AddError(f"path {sub_path!r} may not contain '..': it must stay inside its folder")
    if len(sub_path) > PATH_MAX or any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in parts):
        raise AddError(f"the path is too long: at most {NAME_MAX} bytes a folder name, {PATH_MAX} in all")
    return PurePosixPath(*parts) if parts else PurePosixPath()


def confine(base: Path, sub_path: str) -> Path:
    """*base*/*sub_path*, refusing anything that resolves outside *base* (symlinks included)."""
    parts = safe_sub_path(sub_path)
    if not parts.parts:
        return base.resolve()
    target = (base / parts).resolve()
    if not target.is_relative_to(base.resolve()):
        raise AddError(f"path {sub_path!r} leads outside the download folder")
    return target


def target_dirs(settings: Settings, options: AddOptions) -> tuple[Path, Path]:
    """(folder while downloading, folder once complete) for a new torrent."""
    if options.save_path:
        final_base = Path(options.save_path)
        if not final_base.is_absolute():
            final_base = settings.path("dir_completed") / final_base
    elif options.download_dir:
        dirs = settings.dir_download
        if not 0 < options.download_dir <= len(dirs):
            raise AddError(f"download_dir {options.download_dir} does not exist "
                           f"(list-dirs shows {len(dirs)} download folders; 0 is the default)")
        final_base = dirs[options.download_dir - 1]
    else:
        final_base = settings.path("dir_completed")
    final = confine(final_base, options.sub_path)
    if options.in_place and options.save_path:
        return final, final
    return confine(settings.path("dir_active"), options.sub_path), final


def final_folder(job: Job, get: Callable[[str], Any]) -> Path:
    """Where the data belongs once complete: final_dir, in the label's folder with dir_add_label."""
    final = Path(job.final_dir)
    if get("dir_add_label") and job.label:
        final = confine(final, job.label)
    return final


def _mode(settings: Settings, options: AddOptions) -> str:
    """The client's choice, else torrents_start_stopped."""
    if options.stopped or not options.forced and settings.get("torrents_start_stopped"):
        return STOPPED
    return FORCED if options.forced else QUEUED


def new_job(settings: Settings, info_hash: str, name: str, options: AddOptions, download_url: str) -> Job:
    """The job record of a torrent being added; its folders are created."""
    active, final = target_dirs(settings, options)
    active.mkdir(parents=True, exist_ok=True)
    return Job(hash=info_hash, name=options.name or name or info_hash, renamed=bool(options.name),
               active_dir=str(active), final_dir=str(final), label=options.label,
               tags=tuple(sorted({tag.strip() for tag in options.tags if tag.strip()})),
               mode=_mode(settings, options),
               download_url=download_url, rss_feed_url=options.rss_feed_url, first_last=options.first_last,
               dlrate=options.dl_limit, ulrate=options.ul_limit, seed_override=options.seed_override,
               seed_ratio=options.seed_ratio, seed_time=options.seed_time)


_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f]")


def cut_name(name: str, limit: int = NAME_MAX) -> str:
    """*name* in at most *limit* UTF-8 bytes, cut at a character boundary, its extension kept
    (file systems count bytes: 160 CJK characters are 480)."""
    data = name.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = (dot + ext).encode("utf-8", "surrogateescape") if stem and len(ext) <= 16 else b""
    head = data[:len(data) - len(suffix)] if suffix else data
    return head[:limit - len(suffix)].decode("utf-8", "ignore") + suffix.decode("utf-8", "surrogateescape")


def fitted_file_names(info: lt.torrent_info) -> dict[int, str]:
    """New paths for the files whose folder or file names are longer than a file system takes."""
    files = info.layout() if hasattr(info, "layout") else info.files()
    renamed = {}
    for i in range(files.num_files()):
        path = files.file_path(i)
        parts = path.split("/")
        fitted = [cut_name(part) for part in parts]
        if fitted != parts:
            renamed[i] = "/".join(fitted)
    return renamed


def torrent_file_name(name: str, info_hash: str) -> str:
    """A file name for the stored .torrent that no torrent name can turn into a path."""
    clean = cut_name(_UNSAFE_NAME.sub("_", name).lstrip(".").strip(), 150) or info_hash
    return f"{clean}.{info_hash[:8]}.torrent"
