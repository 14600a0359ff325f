"""getprops / setprops: µTorrent's per-torrent properties, one row each (getter, setter, listed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libtorrent as lt

from utserver.engine.jobs import Job
from utserver.settings.values import INT32_MAX, parse_number

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

TF = lt.torrent_flags


def _bool(text: str) -> bool:
    return bool(parse_number(text, 0, 1))


def _non_negative(text: str) -> int:
    """Clients send "15.0" (docs/reference/utorrent-clients.md#setprops-order); libtorrent keeps
    rates, slots and goals in C ints."""
    return parse_number(text, 0, INT32_MAX)


def _flag(job: Job, flag) -> bool:
    return bool(job.handle.flags() & flag)


def _private(job: Job) -> bool:
    info = job.handle.torrent_file()
    return info is not None and info.priv()


def trackers_text(job: Job) -> str:
    """Tiers separated by a blank line, each URL on its own CRLF-ended line (manual)."""
    lines: list[str] = []
    tier = None
    for entry in sorted(job.handle.trackers(), key=lambda t: t["tier"]):
        if tier is not None and entry["tier"] != tier:
            lines.append("")
        tier = entry["tier"]
        lines.append(entry["url"])
    return "\r\n".join(lines) + ("\r\n" if lines else "")


def set_trackers(engine: Engine, job: Job, text: str) -> None:
    entries: list[lt.announce_entry] = []
    tier = 0
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


def _set_attr(name: str, parse: Callable[[str], object]) -> Callable[[Engine, Job, str], None]:
    def setter(engine: Engine, job: Job, text: str) -> None:
        setattr(job, name, parse(text))
        engine.apply_limits(job)
    return setter


def _switch_on(job: Job, text: str) -> bool:
    on = _bool(text)
    if _private(job) and on:
        raise ValueError("not allowed for a private torrent")
    return on


def _set_dht(engine: Engine, job: Job, text: str) -> None:
    (job.handle.unset_flags if _switch_on(job, text) else job.handle.set_flags)(TF.disable_dht)


def _set_pex(engine: Engine, job: Job, text: str) -> None:
    job.pex = _switch_on(job, text)
    engine.apply_limits(job)


def _set_superseed(engine: Engine, job: Job, text: str) -> None:
    (job.handle.set_flags if _bool(text) else job.handle.unset_flags)(TF.super_seeding)


@dataclass(frozen=True)
class Prop:
    get: Callable[[Engine, Job], object]
    set: Callable[[Engine, Job, str], None]
    listed: bool = True  # getprops shows it


# Values in µTorrent units (rates bytes/s, seed_ratio per mille), in getprops' order.
PROPS: dict[str, Prop] = {
    "trackers": Prop(lambda e, j: trackers_text(j), set_trackers),
    "ulrate": Prop(lambda e, j: j.ulrate, _set_attr("ulrate", _non_negative)),
    "dlrate": Prop(lambda e, j: j.dlrate, _set_attr("dlrate", _non_negative)),
    "superseed": Prop(lambda e, j: int(_flag(j, TF.super_seeding)), _set_superseed),
    "dht": Prop(lambda e, j: -1 if _private(j) else int(not _flag(j, TF.disable_dht)), _set_dht),
    "pex": Prop(lambda e, j: -1 if _private(j) else int(j.pex), _set_pex),
    "seed_override": Prop(lambda e, j: int(j.seed_override), _set_attr("seed_override", _bool)),
    "seed_ratio": Prop(lambda e, j: j.seed_ratio, _set_attr("seed_ratio", _non_negative)),
    "seed_time": Prop(lambda e, j: j.seed_time, _set_attr("seed_time", _non_negative)),
    "ulslots": Prop(lambda e, j: j.ulslots or e.settings.get("ul_slots_per_torrent"),
                    _set_attr("ulslots", _non_negative)),
    "label": Prop(lambda e, j: j.label, _set_attr("label", str), listed=False),
}


def get_props(engine: Engine, job: Job) -> dict:
    return {"hash": job.hash, **{key: prop.get(engine, job) for key, prop in PROPS.items() if prop.listed}}


def set_prop(engine: Engine, job: Job, key: str, text: str) -> None:
    prop = PROPS.get(key)
    if prop is None:
        raise ValueError(f"unknown property {key!r}")
    try:
        prop.set(engine, job, text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None
