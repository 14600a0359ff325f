"""Reads of one torrent that go to libtorrent (files, peers, trackers, pieces, details): each is
one request for one torrent, never part of a list."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import libtorrent as lt

from utserver.engine.adding import hash_of
from utserver.engine.jobs import Job, lt_to_ut_priority
from utserver.engine.peers import peer_view
from utserver.engine.status import seconds
from utserver.engine.table import JobError
from utserver.engine.views import FileSource, FileView, PeerView, TorrentDetails, TrackerView

# torrent_handle.status() query flags; the bindings name only some of them
# (docs/reference/libtorrent.md#status-flags).
QUERY_DISTRIBUTED_COPIES, QUERY_LAST_SEEN_COMPLETE, QUERY_NAME, QUERY_SAVE_PATH = 1, 4, 64, 128
STATUS_FLAGS = QUERY_DISTRIBUTED_COPIES | QUERY_NAME | QUERY_SAVE_PATH  # what the list rows need


def layout(info: lt.torrent_info):
    return info.layout() if hasattr(info, "layout") else info.files()  # files() is deprecated in 2.1


def visible_files(files) -> list[int]:
    """libtorrent indices of the files µTorrent lists: pad files are hidden, so getfiles index != lt index."""
    pad = getattr(lt.file_storage, "flag_pad_file", 1)
    return [i for i in range(files.num_files()) if not files.file_flags(i) & pad]


def lt_file_index(job: Job, index: int) -> int:
    """The libtorrent index of the file a client calls *index*."""
    info = job.handle.torrent_file()
    visible = visible_files(layout(info)) if info else []
    if not 0 <= index < len(visible):
        raise ValueError(f"file {index} does not exist (the torrent has {len(visible)} files)")
    return visible[index]


def file_paths(h: lt.torrent_handle, files) -> Callable[[int], str]:
    """Each file's path inside the torrent, renames included: libtorrent 2.1 keeps them apart from
    the torrent's own layout (get_renamed_files); 2.0 writes them into it."""
    renamed = h.get_renamed_files() if hasattr(h, "get_renamed_files") else None
    return files.file_path if renamed is None else (lambda i: renamed.file_path(files, i))


def _ut_file_name(files, path: str) -> str:
    """µTorrent names a multi-file torrent's files inside the torrent's folder, without it."""
    root = files.name() + "/"
    return path[len(root):] if files.num_files() > 1 and path.startswith(root) else path


def files(job: Job) -> list[FileView]:
    h = job.handle
    info = h.torrent_file()
    if info is None:
        return []
    files = layout(info)
    progress = h.file_progress()
    priorities = h.get_file_priorities()
    piece = info.piece_length()
    path_of = file_paths(h, files)
    views = []
    for i in visible_files(files):
        offset, size, path = files.file_offset(i), files.file_size(i), path_of(i)
        first = offset // piece
        last = (offset + size - 1) // piece if size else first
        views.append(FileView(_ut_file_name(files, path), size, progress[i], lt_to_ut_priority(priorities[i]),
                              first, last - first + 1, path))
    return views


def peers(job: Job) -> list[PeerView]:
    return [peer_view(p) for p in job.handle.get_peer_info()]


def _tracker_status(entry: dict) -> str:
    endpoints = entry.get("endpoints") or [entry]
    if any(e.get("updating") for e in endpoints):
        return "updating"
    if any(e.get("is_working", e.get("fails", 0) == 0 and e.get("start_sent")) for e in endpoints):
        return "working"
    if any(e.get("fails", 0) for e in endpoints):
        return "not_working"
    return "not_contacted"


def trackers(job: Job) -> list[TrackerView]:
    views, now = [], time.time()
    for entry in job.handle.trackers():
        # libtorrent 2.x reports per listen socket and protocol; the first answer stands for all
        stats = next((h for e in entry.get("endpoints", []) for h in e.get("info_hashes", [])
                      if h.get("scrape_complete", -1) >= 0 or h.get("message")), entry)
        next_at = int(stats.get("next_announce") or 0)
        views.append(TrackerView(
            url=entry["url"], tier=int(entry.get("tier", 0)), status=_tracker_status(entry),
            message=str(stats.get("message", "")), seeds=int(stats.get("scrape_complete", -1)),
            peers=int(stats.get("scrape_incomplete", -1)), downloaded=int(stats.get("scrape_downloaded", -1)),
            next_announce=max(int(next_at - now), 0) if next_at else 0))
    return views


def web_seeds(job: Job) -> list[str]:
    return sorted(job.handle.url_seeds())


def piece_states(job: Job) -> list[int]:
    """Per piece: 0 missing, 1 downloading, 2 have."""
    h = job.handle
    have = h.status(lt.torrent_handle.query_pieces).pieces
    states = [2 if piece else 0 for piece in have]
    for entry in h.get_download_queue():
        index = entry["piece_index"]
        if 0 <= index < len(states) and not have[index]:
            states[index] = 1
    return states


def details(job: Job) -> TorrentDetails:
    h = job.handle
    st = h.status(QUERY_LAST_SEEN_COMPLETE | QUERY_SAVE_PATH)
    info = h.torrent_file()
    hashes = st.info_hashes
    return TorrentDetails(
        piece_length=info.piece_length() if info else 0, num_pieces=info.num_pieces() if info else 0,
        pieces_have=st.num_pieces, comment=info.comment() if info else "", created_by=info.creator() if info else "",
        creation_date=int(info.creation_date() or 0) if info else 0, private=bool(info and info.priv()),
        total_size=info.total_size() if info else 0, wasted=st.total_failed_bytes + st.total_redundant_bytes,
        connections=st.num_connections, connections_limit=st.connections_limit,
        next_announce=seconds(st.next_announce), last_seen_complete=int(st.last_seen_complete),
        active_time=seconds(st.active_duration), seeding_time=seconds(st.seeding_duration),
        save_path=st.save_path or job.active_dir, downloaded_session=st.total_payload_download,
        uploaded_session=st.total_payload_upload, info_hash_v1=str(hashes.v1) if hashes.has_v1() else "",
        info_hash_v2=str(hashes.v2) if hashes.has_v2() else "", magnet=lt.make_magnet_uri(h))


def file_source(job: Job, index: int) -> FileSource:
    h = job.handle
    info = h.torrent_file()
    if info is None:
        raise JobError("the torrent has no metadata yet")
    files = layout(info)
    visible = visible_files(files)
    if not 0 <= index < len(visible):
        raise JobError(f"file {index} does not exist")
    i = visible[index]
    status = h.status(lt.torrent_handle.query_pieces | QUERY_SAVE_PATH)
    return FileSource(Path(status.save_path) / file_paths(h, files)(i), files.file_size(i),
                      files.file_offset(i), info.piece_length(), tuple(status.pieces))


def key(st: lt.torrent_status) -> str:
    """The table's key of a status."""
    return hash_of(st.info_hashes)
