"""add-url, add-unknown-url, add-file and list-dirs: where new torrents go."""

from __future__ import annotations

import shutil
from pathlib import Path

from utserver.engine import AddOptions
from utserver.settings.values import INT32_MAX, parse_number
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError
from utserver.web.utorrent.multipart import torrent_from_upload

MAX_TORRENT_BYTES = 32 * 1024 * 1024


def add_url(call: Call) -> Reply:
    call.engine.add_url(_url(call), _options(call, feed=False))
    return []


def add_unknown_url(call: Call) -> Reply:
    """A torrent (or magnet) goes to the engine; an RSS or Atom feed becomes a new feed."""
    url = _url(call)
    rss = call.parts.rss
    if rss is not None and rss.is_feed_url(url):
        rss.update_feed({"url": url, "feed-id": "-1"})
        return []
    call.engine.add_url(url, _options(call, feed=True))
    return []


def add_file(call: Call) -> Reply:
    data = torrent_from_upload(call.content_type, call.body())
    call.engine.add_bytes(data, _options(call, feed=True))
    return []


def list_dirs(call: Call) -> Reply:
    """The default download folder, then the conf's dir_download entries (download_dir=1, 2...)."""
    folders = [call.settings.path("dir_active"), *call.settings.dir_download]
    return [("download-dirs", [{"path": str(folder), "available": _free_mb(folder)} for folder in folders])]


def _url(call: Call) -> str:
    url = (call.query.get("s") or call.query.get("url") or "").strip()
    if not url:
        raise ApiError("missing s= (the torrent's URL or magnet link)")
    return url


def _options(call: Call, feed: bool) -> AddOptions:
    download_dir = call.query.int("download_dir", 0)
    _download_folder(call, download_dir)  # refused here with the folders clients can choose
    # path= is confined by the engine (AddError: the action's error reply)
    return AddOptions(download_dir=download_dir, sub_path=call.query.get("path") or "",
                      label=call.query.get("label") or "", rss_feed_url=_feed_url(call) if feed else "")


def _feed_url(call: Call) -> str:
    """feed-id= (or feedid=, docs/reference/utorrent-clients.md#rss-ids) ties the torrent to a feed: its URL goes in
    row [20]."""
    text = call.query.first("feed-id", "feedid")
    if text in (None, "", "-1") or call.parts.rss is None:
        return ""
    try:
        return call.parts.rss.feed_url(parse_number(text, -INT32_MAX - 1, INT32_MAX, "feed-id"))
    except ValueError as exc:
        raise ApiError(f"feed-id={text}: {exc}") from None


def _download_folder(call: Call, index: int) -> Path:
    folders = call.settings.dir_download
    if index == 0:
        return call.settings.path("dir_active")
    if not 0 < index <= len(folders):
        raise ApiError(f"download_dir={index} does not exist: list-dirs shows {len(folders)} extra "
                       "folder(s); add dir_download lines to utserver.conf for more")
    return folders[index - 1]


def _free_mb(folder: Path) -> int:
    for candidate in (folder, *folder.parents):  # a folder not created yet: ask its file system
        try:
            return shutil.disk_usage(candidate).free // (1024 * 1024)
        except OSError:
            continue
    return 0
