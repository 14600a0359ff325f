"""torrent-get's field map: Transmission field name -> its value from the engine, in Transmission's
types and units (docs/reference/transmission-clients.md). Unknown names are dropped, as
Transmission 4 does.

List fields come from the snapshot's TorrentView (no libtorrent call); the rest read the engine
for that torrent once per request (Row caches each read), which clients only ask for details.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from utserver.engine import State
from utserver.web.transmission import subobjects
from utserver.web.transmission.call import Call
from utserver.web.transmission.status import CHECK, DOWNLOAD, SEED, error, status


class Row:
    """One torrent while its fields are built; each engine read happens at most once."""

    def __init__(self, call: Call, view):
        self.call, self.view, self.hash = call, view, view.hash

    @cached_property
    def files(self):
        return self.call.engine.files(self.hash)

    @cached_property
    def details(self):
        return self.call.engine.details(self.hash)

    @cached_property
    def trackers(self):
        return subobjects.by_tier(self.call.engine.trackers(self.hash))

    @cached_property
    def announce(self):
        """The trackers without their live state: read again only when the torrent's view changed."""
        cache = self.call.front.announce
        found = cache.get(self.hash)
        if found is None or found[0] is not self.view:
            found = cache[self.hash] = (self.view, self.trackers)
        return found[1]

    @cached_property
    def status(self) -> int:
        return status(self.view)

    @cached_property
    def error(self) -> tuple[int, str]:
        return error(self.view)

    @property
    def have(self) -> int:
        return self.view.size - self.view.remaining


def _percent_done(v) -> float:
    if v.size:
        return (v.size - v.remaining) / v.size
    return 1.0 if v.has_metadata and v.total_size else 0.0


def _eta(v) -> int:
    if not v.has_metadata:
        return -2  # unknown: a magnet link still fetching its metadata
    if v.remaining <= 0:
        return -1  # not available: nothing left to download
    return v.eta if v.eta >= 0 else -2  # unknown


def _ratio(row: Row) -> float:
    """uploaded / downloaded; a seed that downloaded nothing counts what it has (Transmission's rule)."""
    v = row.view
    base = v.downloaded or row.have
    if base:
        return round(v.uploaded / base, 4)
    return -2.0 if v.uploaded else -1.0  # infinite / not available


def _labels(v) -> list[str]:
    """µTorrent's label first, then the tags: Transmission's label list over the engine's two."""
    head = [v.label] if v.label else []
    return head + [tag for tag in v.tags if tag != v.label]


def _limit(row: Row, kind: str) -> int:
    rate = row.view.dl_limit if kind == "down" else row.view.ul_limit
    return -(-rate // 1000) if rate > 0 else row.call.front.memory.get(row.hash, kind)


def _ratio_mode(v) -> int:
    return (1 if v.seed_ratio else 2) if v.seed_override else 0


def _idle_mode(v) -> int:
    return (1 if v.seed_time else 2) if v.seed_override else 0


def _ratio_limit(row: Row) -> float:
    v = row.view
    if v.seed_override and v.seed_ratio:
        return v.seed_ratio / 1000
    return (int(row.call.settings.get("seed_ratio")) or 200) / 100


def _idle_limit(row: Row) -> int:
    v = row.view
    seconds = v.seed_time if v.seed_override and v.seed_time else int(row.call.settings.get("seed_time"))
    return seconds // 60 if seconds else 30


def _stalled(row: Row) -> bool:
    v = row.view
    return row.status in (DOWNLOAD, SEED) and not (v.down_rate or v.up_rate) and \
        v.last_activity > 0 and time.time() - v.last_activity > 1800


def _mime(row: Row) -> str:
    files = row.files
    largest = max(files, key=lambda f: f.size, default=None)
    return (mimetypes.guess_type(largest.path)[0] or "application/octet-stream") if largest else ""


FIELDS: dict[str, Callable[[Row], Any]] = {
    "activityDate": lambda r: r.view.last_activity,
    "addedDate": lambda r: r.view.added_on,
    "bandwidthPriority": lambda r: 0,
    "comment": lambda r: r.details.comment,
    "corruptEver": lambda r: r.details.wasted,
    "creator": lambda r: r.details.created_by,
    "dateCreated": lambda r: r.details.creation_date,
    "desiredAvailable": lambda r: r.view.remaining if r.view.availability >= 65536 else 0,
    "doneDate": lambda r: r.view.completed_on,
    "downloadDir": lambda r: r.view.save_path,
    "downloadedEver": lambda r: r.view.downloaded,
    "downloadLimit": lambda r: _limit(r, "down"),
    "downloadLimited": lambda r: r.view.dl_limit > 0,
    "editDate": lambda r: r.view.added_on,
    "error": lambda r: r.error[0],
    "errorString": lambda r: r.error[1],
    "eta": lambda r: _eta(r.view),
    "etaIdle": lambda r: -1,
    "file-count": lambda r: len(r.files),
    "files": lambda r: subobjects.files(r.files),
    "fileStats": lambda r: subobjects.file_stats(r.files),
    "group": lambda r: "",
    "hashString": lambda r: r.hash.lower(),
    "haveUnchecked": lambda r: 0,
    "haveValid": lambda r: r.have,
    "honorsSessionLimits": lambda r: True,
    "id": lambda r: r.call.front.ids.id_of(r.hash),
    "isFinished": lambda r: r.view.state == State.FINISHED,  # stopped complete: a seeding goal (or the user)
    "isPrivate": lambda r: r.details.private,
    "isStalled": _stalled,
    "labels": lambda r: _labels(r.view),
    "leftUntilDone": lambda r: r.view.remaining,
    "magnetLink": lambda r: r.details.magnet,
    "manualAnnounceTime": lambda r: -1,
    "maxConnectedPeers": lambda r: r.details.connections_limit,
    "metadataPercentComplete": lambda r: 1.0 if r.view.has_metadata else 0.0,
    "name": lambda r: r.view.name,
    "peer-limit": lambda r: r.details.connections_limit,
    "peers": lambda r: subobjects.peers(r.call.engine.peers(r.hash)),
    "peersConnected": lambda r: r.view.peers_connected + r.view.seeds_connected,
    "peersGettingFromUs": lambda r: r.view.peers_connected if r.view.up_rate else 0,
    "peersSendingToUs": lambda r: (r.view.peers_connected + r.view.seeds_connected) if r.view.down_rate else 0,
    "percentComplete": lambda r: r.have / r.view.total_size if r.view.total_size else 0.0,
    "percentDone": lambda r: _percent_done(r.view),
    "pieceCount": lambda r: r.details.num_pieces,
    "pieces": lambda r: subobjects.pieces(r.call.engine.piece_states(r.hash)),
    "pieceSize": lambda r: r.details.piece_length,
    "primary-mime-type": _mime,
    "priorities": lambda r: [subobjects.TR_PRIORITY[f.priority] for f in r.files],
    "queuePosition": lambda r: r.call.queue_positions.get(r.hash, 0),
    "rateDownload": lambda r: r.view.down_rate,
    "rateUpload": lambda r: r.view.up_rate,
    "recheckProgress": lambda r: r.view.progress / 1000 if r.status == CHECK else 0.0,
    "secondsDownloading": lambda r: max(r.view.active_time - r.view.seeding_time, 0),
    "secondsSeeding": lambda r: r.view.seeding_time,
    "seedIdleLimit": _idle_limit,
    "seedIdleMode": lambda r: _idle_mode(r.view),
    "seedRatioLimit": _ratio_limit,
    "seedRatioMode": lambda r: _ratio_mode(r.view),
    "sequential_download": lambda r: r.view.sequential,
    "sizeWhenDone": lambda r: r.view.size,
    "startDate": lambda r: r.view.added_on,
    "status": lambda r: r.status,
    "totalSize": lambda r: r.view.total_size,
    "trackerList": lambda r: subobjects.tracker_list(r.announce),
    "trackers": lambda r: subobjects.trackers(r.announce),
    "trackerStats": lambda r: subobjects.tracker_stats(r.trackers, r.status != 0),
    "uploadedEver": lambda r: r.view.uploaded,
    "uploadLimit": lambda r: _limit(r, "up"),
    "uploadLimited": lambda r: r.view.ul_limit > 0,
    "uploadRatio": _ratio,
    "wanted": lambda r: [1 if f.priority > 0 else 0 for f in r.files],
    "webseeds": lambda r: r.call.engine.web_seeds(r.hash),
    "webseedsSendingToUs": lambda r: 0,
}


def known(names: list[str]) -> list[str]:
    """The requested names this front serves, in request order, without repeats."""
    return [name for name in dict.fromkeys(names) if name in FIELDS]


# Fields whose value depends on the torrent's view alone (its id is fixed for the run) are kept per
# view object, so a poll of 10,000 unchanged torrents computes none of them again. These are not:
# they read libtorrent, the clock, the settings, the queue or the front's remembered limits.
LIVE = frozenset({"queuePosition", "isStalled", "downloadLimit", "uploadLimit", "seedRatioLimit", "seedIdleLimit",
                  "comment", "corruptEver", "creator", "dateCreated", "file-count", "files",
                  "fileStats", "isPrivate", "magnetLink", "maxConnectedPeers", "peer-limit", "peers", "pieceCount",
                  "pieces", "pieceSize", "primary-mime-type", "priorities", "trackerStats", "wanted", "webseeds"})


def values(call: Call, view, names: list[str]) -> list:
    cache = call.front.values
    found = cache.get(view.hash)
    if found is None or found[0] is not view:
        found = cache[view.hash] = (view, {})
    known = found[1]
    row = None
    out = []
    for name in names:
        if name in known:
            out.append(known[name])
            continue
        row = row or Row(call, view)
        value = FIELDS[name](row)
        if name not in LIVE:
            known[name] = value
        out.append(value)
    return out
