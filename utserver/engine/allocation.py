"""prealloc_space: the files of a new torrent allocated in full as it is added, as µTorrent does.

libtorrent's allocate mode creates a file only when its first piece is written, so a torrent
without peers would allocate nothing. The engine allocates the files itself, before the torrent
is in the session, so no libtorrent write can race the allocation. posix_fallocate is one call on
ext4, btrfs and XFS; on FAT and exFAT glibc writes every block, which takes as long as the size."""

from __future__ import annotations

import logging
import os

import libtorrent as lt

log = logging.getLogger("utserver.engine")


def allocate(info: lt.torrent_info, save_path: str, renamed: dict[int, str]) -> None:
    """Create each file that is not there yet at its full size; a failure is logged and ends
    the allocation (libtorrent then meets the same disk, and shows its error state)."""
    files = info.layout() if hasattr(info, "layout") else info.files()
    for index in range(files.num_files()):
        size = files.file_size(index)
        if size == 0 or files.file_flags(index) & lt.file_storage.flag_pad_file:
            continue
        path = os.path.join(save_path, renamed.get(index, files.file_path(index)))
        try:
            _allocate_file(path, size)
        except OSError as exc:
            log.warning("prealloc_space: cannot allocate %s: %s", path, exc.strerror or exc)
            return


def _allocate_file(path: str, size: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        return  # data in place, or a file another torrent shares: never touched
    try:
        os.posix_fallocate(fd, 0, size)
    finally:
        os.close(fd)
