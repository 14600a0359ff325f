"""µTorrent's wire rows: the one place that knows field order, types and units.

Clients parse rows by array position (Sonarr indexes up to [26] and rejects floats), so every
field is coerced to its documented type here, whatever the engine's views hold.
"""

from __future__ import annotations

from collections.abc import Callable

from utserver.engine import FileView, PeerView, TorrentView


def _row(fields: tuple[tuple[str, type], ...]) -> Callable[[object], tuple]:
    getters = [(name, kind) for name, kind in fields]

    def build(view: object) -> tuple:
        return tuple(kind(getattr(view, name)) for name, kind in getters)
    return build


# The manual's 0-25, then utserver 3.3's extras (api-compat item 11).
_TORRENT = _row((
    ("hash", str), ("status", int), ("name", str), ("size", int), ("progress", int),
    ("downloaded", int), ("uploaded", int), ("ratio", int), ("up_rate", int), ("down_rate", int),
    ("eta", int), ("label", str), ("peers_connected", int), ("peers_swarm", int),
    ("seeds_connected", int), ("seeds_swarm", int), ("availability", int), ("queue_order", int),
    ("remaining", int), ("download_url", str), ("rss_feed_url", str), ("status_message", str),
    ("hash", str),  # [22] STREAM ID: the WebUI fetches files with /proxy?sid=<it>
    ("added_on", int), ("completed_on", int),
))
_TORRENT_TAIL = ("",)  # [25] APP UPDATE URL


def torrent_row(view: TorrentView) -> tuple:
    """30 fields; [26] is the save path, [27]-[29] are a number, a string and a boolean."""
    return _TORRENT(view) + _TORRENT_TAIL + (str(view.save_path), 0, "", False)


def label_rows(labels: list[tuple[str, int]]) -> list[list]:
    return [[str(name), int(count)] for name, count in labels]


_FILE = _row((("name", str), ("size", int), ("downloaded", int), ("priority", int),
              ("first_piece", int), ("num_pieces", int)))
# STREAMABLE, ENCODED RATE, DURATION, WIDTH, HEIGHT, STREAM ETA, STREAMABILITY: no media probing here.
_FILE_TAIL = (False, 0, 0, 0, 0, 0, 0)


def file_row(view: FileView) -> tuple:
    return _FILE(view) + _FILE_TAIL


def peer_row(view: PeerView) -> tuple:
    """api-compat item 15's 22 fields; no GeoIP and no reverse DNS on a router."""
    return ("", str(view.ip), str(view.ip), int(bool(view.utp)), int(view.port), str(view.client),
            str(view.flags), int(view.progress), int(view.down_rate), int(view.up_rate),
            int(view.reqs_out), int(view.reqs_in), 0, int(view.uploaded), int(view.downloaded),
            int(view.hash_errors), 0, 0, 0, 0, 0, 0)


_PROP_INTS = ("ulrate", "dlrate", "superseed", "dht", "pex", "seed_override", "seed_ratio",
              "seed_time", "ulslots")


def props_row(props: dict) -> dict:
    """getprops: the manual's keys with integers as integers; other keys pass as they are."""
    return {**props, "hash": str(props["hash"]).upper(), "trackers": str(props.get("trackers", "")),
            **{key: int(props[key]) for key in _PROP_INTS if key in props}}
