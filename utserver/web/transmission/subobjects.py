"""torrent-get's nested objects: files, fileStats, peers, trackers, trackerStats, pieces.

Built from the engine's per-torrent reads (FileView, PeerView, TrackerView); only asked when a
client requests these fields, which clients do for one torrent at a time (details panes).
"""

from __future__ import annotations

import base64
import time
import urllib.parse

# µTorrent file priority (0 skip, 1 low, 2 normal, 3 high) <-> Transmission's -1/0/1 + wanted.
TR_PRIORITY = {0: 0, 1: -1, 2: 0, 3: 1}
UT_PRIORITY = {-1: 1, 0: 2, 1: 3}

# µTorrent peer flag letters that Transmission's flagStr uses too; P (uTP) is Transmission's T.
_FLAG_LETTERS = {"O": "O", "D": "D", "d": "d", "U": "U", "u": "u", "K": "K", "?": "?", "E": "E", "e": "E",
                 "X": "X", "H": "H", "I": "I", "P": "T"}

# TrackerView.status -> Transmission announceState (0 inactive, 1 waiting, 2 queued, 3 active).
_ANNOUNCE_STATE = {"updating": 3, "working": 1, "not_working": 1, "not_contacted": 1}


def files(views) -> list[dict]:
    return [{"bytesCompleted": f.downloaded, "length": f.size, "name": f.path} for f in views]


def file_stats(views) -> list[dict]:
    return [{"bytesCompleted": f.downloaded, "wanted": f.priority > 0, "priority": TR_PRIORITY[f.priority]}
            for f in views]


def peers(views) -> list[dict]:
    return [_peer(p) for p in views]


def _peer(p) -> dict:
    flags = p.flags
    return {
        "address": p.ip, "port": p.port, "clientName": p.client,
        "flagStr": "".join(dict.fromkeys(_FLAG_LETTERS[c] for c in flags if c in _FLAG_LETTERS)),
        "isDownloadingFrom": "D" in flags, "isUploadingTo": "U" in flags,
        "clientIsInterested": "D" in flags or "d" in flags, "clientIsChoked": "D" not in flags,
        "peerIsInterested": "U" in flags or "u" in flags, "peerIsChoked": "U" not in flags,
        "isEncrypted": "E" in flags or "e" in flags, "isIncoming": "I" in flags, "isUTP": bool(p.utp),
        "progress": p.progress / 1000, "rateToClient": p.down_rate, "rateToPeer": p.up_rate,
    }


def scrape_url(announce: str) -> str:
    """Transmission's rule: the last "/announce" of the path becomes "/scrape", else none."""
    head, sep, tail = announce.rpartition("/announce")
    return f"{head}/scrape{tail}" if sep and "/" not in tail else ""


def _site(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    labels = host.split(".")
    return f"{parts.scheme}://{host}:{port}", (labels[-2] if len(labels) > 1 and not host[-1:].isdigit() else host)


def by_tier(views) -> list:
    """Trackers in tier order (libtorrent keeps them as added); ids are positions in this list."""
    return sorted(views, key=lambda t: t.tier)


def trackers(views) -> list[dict]:
    return [{"announce": t.url, "id": index, "scrape": scrape_url(t.url), "tier": t.tier, "sitename": _site(t.url)[1]}
            for index, t in enumerate(views)]


def tracker_list(views) -> str:
    """One URL a line, a blank line between tiers."""
    lines, tier = [], None
    for t in views:
        if tier is not None and t.tier != tier:
            lines.append("")
        lines.append(t.url)
        tier = t.tier
    return "\n".join(lines)


def tracker_stats(views, running: bool) -> list[dict]:
    now = int(time.time())
    return [_tracker_stat(index, t, running, now) for index, t in enumerate(views)]


def _tracker_stat(index: int, t, running: bool, now: int) -> dict:
    contacted = t.status in ("working", "not_working")
    host, site = _site(t.url)
    return {
        "id": index, "announce": t.url, "scrape": scrape_url(t.url), "tier": t.tier, "host": host, "sitename": site,
        "isBackup": False, "announceState": _ANNOUNCE_STATE.get(t.status, 1) if running else 0,
        "scrapeState": 1 if running else 0,
        "hasAnnounced": contacted, "lastAnnounceSucceeded": t.status == "working",
        "lastAnnounceResult": t.message or ("Success" if t.status == "working" else ""),
        "lastAnnouncePeerCount": 0, "lastAnnounceStartTime": 0, "lastAnnounceTime": 0,
        "lastAnnounceTimedOut": False, "nextAnnounceTime": now + t.next_announce if t.next_announce > 0 else 0,
        "hasScraped": t.seeds >= 0, "lastScrapeSucceeded": t.seeds >= 0, "lastScrapeResult": "",
        "lastScrapeStartTime": 0, "lastScrapeTime": 0, "lastScrapeTimedOut": False, "nextScrapeTime": 0,
        "seederCount": t.seeds, "leecherCount": t.peers, "downloadCount": t.downloaded,
    }


def pieces(states: list[int]) -> str:
    """The bitfield of pieces we have (state 2), most significant bit first, base64."""
    field = bytearray((len(states) + 7) // 8)
    for index, state in enumerate(states):
        if state == 2:
            field[index >> 3] |= 0x80 >> (index & 7)
    return base64.b64encode(bytes(field)).decode()
