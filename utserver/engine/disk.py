"""A new torrent's files on disk: found (data to check), or allocated (prealloc_space).

prealloc_space allocates the files in full as the torrent is added, as µTorrent does: libtorrent's
allocate mode creates a file only when its first piece is written, so a torrent without peers
would allocate nothing. The engine allocates the files itself, before the torrent is in the
session, so no libtorrent write can race the allocation. posix_fallocate is one call on ext4,
btrfs and XFS; on FAT and exFAT glibc writes every block, which takes as long as the size."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import libtorrent as lt

log = logging.getLogger("utserver.engine")


def _paths(info: lt.torrent_info, save_path: str, renamed: dict[int, str]) -> Iterator[tuple[str, int]]:
    """(path, size) of each file with data: pad files and empty files left out."""
    files = info.layout() if hasattr(info, "layout") else info.files()
    for index in range(files.num_files()):
        size = files.file_size(index)
        if size and not files.file_flags(index) & lt.file_storage.flag_pad_file:
            yield os.path.join(save_path, renamed.get(index, files.file_path(index))), size


def has_data(info: lt.torrent_info, save_path: str, renamed: dict[int, str]) -> bool:
    """Whether a file of the torrent is there already: libtorrent will check it as it is added."""
    return any(os.path.exists(path) for path, _ in _paths(info, save_path, renamed))


def allocate(info: lt.torrent_info, save_path: str, renamed: dict[int, str]) -> None:
    """Create each file that is not there yet at its full size; a failure is logged and ends
    the allocation (libtorrent then meets the same disk, and shows its error state)."""
    for path, size in _paths(info, save_path, renamed):
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
