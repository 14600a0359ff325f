"""torrents/add: URLs, magnets and .torrent uploads with qBittorrent's options, mapped onto AddOptions.

Replies as qBittorrent ≤ 5.1 (docs/reference/qbittorrent-clients.md §4.1): text "Ok." when at least
one torrent was taken, "Fails." when none (a duplicate or a bad URL is a failure), 415 for an upload
that is not a .torrent. Both spellings of "add stopped" (4.x paused, 5.x stopped) are read.
"""

from __future__ import annotations

from pathlib import Path

from utserver.engine import AddError, AddOptions
from utserver.web.qbittorrent.call import Call, QbtError
from utserver.web.qbittorrent.store import split_tags, valid_category


def add(call: Call):
    urls = [line.strip() for line in (call.get("urls") or "").splitlines() if line.strip()]
    if not urls and not call.files:
        raise QbtError(400, "Missing required parameters: urls or torrents")
    for name, data in call.files:
        if not data.startswith(b"d"):
            raise QbtError(415, f"Error: '{name}' is not a valid torrent file.")
    options = add_options(call)
    before = set(call.engine.snapshot())
    added = []
    for name, data in call.files:
        try:
            added.append(call.engine.add_bytes(data, options))
        except AddError:
            raise QbtError(415, f"Error: '{name}' is not a valid torrent file.") from None
    for url in urls:
        try:
            added.append(call.engine.add_url(url, options))
        except (AddError, ValueError):
            continue  # counted as a failure, as qBittorrent does
    new = [info_hash for info_hash in added if info_hash not in before]
    return "Ok." if new else "Fails."


def add_options(call: Call) -> AddOptions:
    category = (call.get("category") or "").strip()
    store = call.front.store
    if category:
        if not valid_category(category):
            raise QbtError(400, f"Incorrect category name: {category!r}")
        if category not in store.all_categories(call.engine.labels()):
            store.set_category(category, "")  # qBittorrent creates it on the fly
    tags = split_tags(call.get("tags"))
    if tags:
        store.add_tags(tags)
    stopped = call.flag("stopped")
    stopped = bool(call.flag("paused")) if stopped is None else stopped
    limits = share_limits(call, call.number("ratioLimit", -2.0, float), call.number("seedingTimeLimit", -2))
    return AddOptions(
        # qBittorrent's savepath is where the data is written (and where skip_checking finds it)
        save_path=save_path(call, call.get("savepath") or "", category), in_place=True, label=category,
        stopped=stopped,
        tags=tuple(tags), sequential=bool(call.flag("sequentialDownload")),
        first_last=bool(call.flag("firstLastPiecePrio")), skip_checking=bool(call.flag("skip_checking")),
        name=(call.get("rename") or "").strip(), dl_limit=max(call.number("dlLimit", 0), 0),
        ul_limit=max(call.number("upLimit", 0), 0), forced=bool(call.flag("forced")),
        queue_top=bool(call.flag("addToTopOfQueue")), **limits)


def save_path(call: Call, given: str, category: str) -> str | None:
    """savepath, else the category's save path; a relative one is under the default save path."""
    chosen = given.strip() or call.front.store.categories.get(category, "")
    if not chosen:
        return None
    path = Path(chosen)
    return str(path if path.is_absolute() else call.parts.settings.path("dir_active") / path)


def share_limits(call: Call, ratio: float, minutes: int) -> dict:
    """ratio/minutes as qBittorrent gives them (-2 global, -1 none) -> seed_override/seed_ratio/seed_time.
    One limit set and the other global: the global value is copied, since the override covers both."""
    if ratio == -2 and minutes == -2:
        return {"seed_override": False}
    settings = call.parts.settings
    seed_ratio = int(settings.get("seed_ratio")) * 10 if ratio == -2 else max(round(ratio * 1000), 0)
    seed_time = int(settings.get("seed_time")) if minutes == -2 else max(int(minutes), 0) * 60
    return {"seed_override": True, "seed_ratio": seed_ratio, "seed_time": seed_time}
