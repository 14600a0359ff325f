"""getprops / setprops: µTorrent's per-torrent properties as a table of getters and setters."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libtorrent as lt

from utserver.engine.jobs import Job

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

TF = lt.torrent_flags


def _int(text: str) -> int:
    number = float(text)  # clients send "15.0" (api-compat item 21)
    if not number.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(number)


def _bool(text: str) -> bool:
    value = _int(text)
    if value not in (0, 1):
        raise ValueError(f"{text!r} is not 0 or 1")
    return bool(value)


def _non_negative(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise ValueError(f"{value} is negative")
    return value


def _flag(job: Job, flag) -> bool:
    return bool(job.handle.flags() & flag)


def _set_flag(job: Job, flag, on: bool) -> None:
    (job.handle.set_flags if on else job.handle.unset_flags)(flag)


def _private(job: Job) -> bool:
    info = job.handle.torrent_file()
    return info is not None and info.priv()


def _switch(job: Job, disable_flag) -> int:
    """dht / pex: -1 not allowed (private torrent), 0 off, 1 on."""
    return -1 if _private(job) else int(not _flag(job, disable_flag))


def trackers_text(job: Job) -> str:
    """Tiers separated by a blank line, each URL on its own CRLF-ended line (manual)."""
    lines, tier = [], None
    for entry in sorted(job.handle.trackers(), key=lambda t: t["tier"]):
        if tier is not None and entry["tier"] != tier:
            lines.append("")
        tier = entry["tier"]
        lines.append(entry["url"])
    return "\r\n".join(lines) + ("\r\n" if lines else "")


def set_trackers(job: Job, text: str) -> None:
    entries, tier = [], 0
    for line in text.replace("\r", "").split("\n"):
        url = line.strip()
        if not url:
            tier += 1 if entries and entries[-1].tier == tier else 0
            continue
        if not url.lower().startswith(("http://", "https://", "udp://")):
            raise ValueError(f"{url!r} is not a tracker URL")
        entry = lt.announce_entry(url)
        entry.tier = tier
        entries.append(entry)
    job.handle.replace_trackers(entries)


def _set_attr(name: str, parse: Callable[[str], object]) -> Callable:
    def setter(engine: "Engine", job: Job, text: str) -> None:
        setattr(job, name, parse(text))
        engine._apply_job_settings(job)
    return setter


def _set_switch(flag) -> Callable:
    def setter(engine: "Engine", job: Job, text: str) -> None:
        on = _bool(text)
        if _private(job) and on:
            raise ValueError("not allowed for a private torrent")
        _set_flag(job, flag, not on)
    return setter


def _set_pex(engine: "Engine", job: Job, text: str) -> None:
    on = _bool(text)
    if _private(job) and on:
        raise ValueError("not allowed for a private torrent")
    job.pex = on
    engine._apply_job_settings(job)


def _set_superseed(engine: "Engine", job: Job, text: str) -> None:
    _set_flag(job, TF.super_seeding, _bool(text))


# key -> (getter, setter); values in µTorrent units (rates bytes/s, seed_ratio per mille).
PROPS: dict[str, tuple[Callable, Callable]] = {
    "trackers": (lambda e, j: trackers_text(j), lambda e, j, t: set_trackers(j, t)),
    "ulrate": (lambda e, j: j.ulrate, _set_attr("ulrate", _non_negative)),
    "dlrate": (lambda e, j: j.dlrate, _set_attr("dlrate", _non_negative)),
    "superseed": (lambda e, j: int(_flag(j, TF.super_seeding)), _set_superseed),
    "dht": (lambda e, j: _switch(j, TF.disable_dht), _set_switch(TF.disable_dht)),
    "pex": (lambda e, j: -1 if _private(j) else int(j.pex), _set_pex),
    "seed_override": (lambda e, j: int(j.seed_override), _set_attr("seed_override", _bool)),
    "seed_ratio": (lambda e, j: j.seed_ratio, _set_attr("seed_ratio", _non_negative)),
    "seed_time": (lambda e, j: j.seed_time, _set_attr("seed_time", _non_negative)),
    "ulslots": (lambda e, j: j.ulslots or e.settings.get("ul_slots_per_torrent"), _set_attr("ulslots", _non_negative)),
    "label": (lambda e, j: j.label, _set_attr("label", str)),
}
GETPROPS_KEYS = ("trackers", "ulrate", "dlrate", "superseed", "dht", "pex", "seed_override", "seed_ratio",
                 "seed_time", "ulslots")


def get_props(engine: "Engine", job: Job) -> dict:
    return {"hash": job.hash, **{key: PROPS[key][0](engine, job) for key in GETPROPS_KEYS}}


def set_prop(engine: "Engine", job: Job, key: str, text: str) -> None:
    entry = PROPS.get(key)
    if entry is None:
        raise ValueError(f"unknown property {key!r}")
    try:
        entry[1](engine, job, text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None
