"""What libtorrent keeps per torrent, from the global settings and the job's own props."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libtorrent as lt

from utserver.engine.jobs import Job

TF = lt.torrent_flags
TOP_PRIORITY = 7


def apply(job: Job, get: Callable[[str], Any], seeding: bool) -> None:
    """Connections, slots, rates (max_ul_rate_seed while seeding), PEX and in-order download."""
    h = job.handle
    pex_on = get("pex") and job.pex
    (h.unset_flags if pex_on else h.set_flags)(TF.disable_pex)
    (h.set_flags if job.sequential else h.unset_flags)(TF.sequential_download)
    _at_least_two(h.set_max_connections, int(get("conns_per_torrent")))
    _at_least_two(h.set_max_uploads, job.ulslots or int(get("ul_slots_per_torrent")))
    h.set_download_limit(job.dlrate)
    seed_limit = int(get("max_ul_rate_seed"))
    h.set_upload_limit(job.ulrate or (seed_limit * 1024 if seeding and seed_limit > 0 else 0))


def _at_least_two(setter: Callable[[int], None], value: int) -> None:
    """libtorrent 2.1's binding refuses 1 upload slot or connection per torrent (ValueError;
    2.0 takes it): there the torrent gets 2, the nearest it takes (docs/reference/libtorrent.md)."""
    try:
        setter(value)
    except ValueError:
        setter(2)


def apply_first_last(job: Job) -> None:
    """First and last piece of every wanted file first (previews play early); off: the files'
    own priorities again, which resets every piece's."""
    h = job.handle
    info = h.torrent_file()
    if info is None:
        return  # a magnet without metadata yet: applied when it arrives
    files = h.get_file_priorities()
    if not job.first_last:
        h.prioritize_files(files)
        return
    layout = info.layout() if hasattr(info, "layout") else info.files()
    pieces = list(h.get_piece_priorities())
    piece = info.piece_length()
    for i, priority in enumerate(files):
        size = layout.file_size(i)
        if priority and size:
            offset = layout.file_offset(i)
            for index in (offset // piece, (offset + size - 1) // piece):
                pieces[index] = TOP_PRIORITY
    h.prioritize_pieces(pieces)
