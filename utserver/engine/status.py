"""From libtorrent's torrent_status plus the job's intent to µTorrent's view of a torrent.

The mapping is docs/reference/libtorrent.md#status-mapping, measured on 2.0.8 and 2.1.1.
"""

from __future__ import annotations

import time

import libtorrent as lt

from utserver.engine.jobs import FORCED, QUEUED, STOPPED, Job
from utserver.engine.views import CHECKED, CHECKING, ERROR, LOADED, PAUSED, START_AFTER_CHECK, STARTED, State, TorrentView
from utserver.engine.views import QUEUED as QUEUED_BIT

S = lt.torrent_status.states

ST_ERROR, ST_CHECKED, ST_PAUSED, ST_SUPERSEED, ST_SEEDING, ST_DOWNLOADING = (
    State.ERROR, State.CHECKED, State.PAUSED, State.SUPERSEED, State.SEEDING, State.DOWNLOADING)
ST_F_SUPERSEED, ST_F_SEEDING, ST_F_DOWNLOADING, ST_QUEUED_SEED, ST_FINISHED, ST_QUEUED, ST_STOPPED = (
    State.F_SUPERSEED, State.F_SEEDING, State.F_DOWNLOADING, State.QUEUED_SEED, State.FINISHED, State.QUEUED,
    State.STOPPED)

_FORCED_STATE = {ST_SUPERSEED: ST_F_SUPERSEED, ST_SEEDING: ST_F_SEEDING, ST_DOWNLOADING: ST_F_DOWNLOADING}
STATE_TEXT: dict[int, str] = {
    ST_ERROR: "Error", ST_CHECKED: "Checked", ST_PAUSED: "Paused", ST_SUPERSEED: "Super Seeding",
    ST_SEEDING: "Seeding", ST_DOWNLOADING: "Downloading", ST_F_SUPERSEED: "[F] Super Seeding",
    ST_F_SEEDING: "[F] Seeding", ST_F_DOWNLOADING: "[F] Downloading", ST_QUEUED_SEED: "Queued Seed",
    ST_FINISHED: "Finished", ST_QUEUED: "Queued", ST_STOPPED: "Stopped",
}


def state_code(job: Job, failed: bool, checking: bool, complete: bool, lt_paused: bool, super_seeding: bool) -> int:
    """The manual's 1-13 state of a torrent (µTorrent WebUI getStatusInfo order)."""
    if failed:
        return ST_ERROR
    if checking:
        return ST_CHECKED
    if job.paused:
        return ST_PAUSED
    running = job.mode == FORCED or (job.mode == QUEUED and not lt_paused)
    if running:
        state = ST_SUPERSEED if complete and super_seeding else ST_SEEDING if complete else ST_DOWNLOADING
        return _FORCED_STATE[state] if job.mode == FORCED else state
    if job.mode == QUEUED:
        return ST_QUEUED_SEED if complete else ST_QUEUED
    return ST_FINISHED if complete else ST_STOPPED


def status_bits(job: Job, failed: bool, checking: bool, check_queued: bool, has_metadata: bool, lt_paused: bool) -> int:
    bits = LOADED
    if failed:
        return bits | ERROR | (CHECKED if has_metadata else 0)
    if checking:
        bits |= CHECKING | (START_AFTER_CHECK if check_queued and job.mode != STOPPED else 0)
    elif has_metadata:
        bits |= CHECKED
    if job.paused:
        return bits | STARTED | PAUSED | (QUEUED_BIT if job.mode == QUEUED else 0)
    if job.mode == FORCED and not checking:
        return bits | STARTED
    if job.mode == QUEUED:
        return bits | QUEUED_BIT | (STARTED if not lt_paused and not checking else 0)
    return bits


def status_message(st: lt.torrent_status, job: Job, state: int, error: str, check_queued: bool) -> str:
    if state == ST_ERROR:
        return "Error: " + (job.error or error)  # ours says it in the user's words
    if state == ST_CHECKED:
        return "Queued for checking" if check_queued else f"Checked {st.progress * 100:.1f}%"
    if job.mode == STOPPED and state in (ST_FINISHED, ST_STOPPED) and job.error:
        return "Error: " + job.error
    return STATE_TEXT[state]


def _swarm(total: int, fallback: int) -> int:
    return total if total >= 0 else fallback


def _finished_at(st: lt.torrent_status, progress: int) -> int:
    """libtorrent's own finish time, for the moment before torrent_finished_alert is handled."""
    return int(st.completed_time) if progress == 1000 else 0


def _eta(down_rate: int, remaining: int) -> int:
    if remaining <= 0:
        return 0
    return remaining // down_rate if down_rate > 0 else -1


def _availability(st: lt.torrent_status, seeds: int) -> int:
    copies = st.distributed_copies
    if copies >= 0:
        return int(copies * 65536)
    return (seeds + 1) * 65536 if st.is_seeding else 0  # a seed reports -1


def seconds(value) -> int:
    """A libtorrent duration (timedelta in 2.x bindings, int in older ones) in whole seconds."""
    return int(value.total_seconds() if hasattr(value, "total_seconds") else value)


def _last_activity(st: lt.torrent_status) -> int:
    """Epoch seconds of the last payload transfer, as of this status (0: never)."""
    ago = [t for t in (st.time_since_upload, st.time_since_download) if t >= 0]
    return int(time.time()) - min(ago) if ago else 0


def _folder(save_path: str, job: Job) -> str:
    """The job's own folder string when libtorrent's is the same: one string per folder, not a
    new one per torrent and status."""
    return job.active_dir if save_path in ("", job.active_dir) else save_path


def build_view(st: lt.torrent_status, job: Job) -> TorrentView:
    # Each property read crosses libtorrent's binding (0.1-0.7 µs; `state` and `errc` make an
    # object each time): what several parts need is read once here.
    lt_state, lt_paused, has_metadata = st.state, st.paused, st.has_metadata
    wanted, wanted_done, peers, down_rate = st.total_wanted, st.total_wanted_done, st.num_peers, st.download_payload_rate
    errc = st.errc
    failed_code = errc.value()
    error = errc.message() if failed_code else ""
    # Checking, or waiting in the check queue (libtorrent holds it paused and auto-managed).
    # checking_resume_data lasts ~100 ms after an add: not shown as checking; nor is a torrent
    # stopped before its check (paused and unmanaged): it is stopped, and checks when started.
    in_check = lt_state == S.checking_files
    checking = in_check and (st.auto_managed or not lt_paused)
    check_queued = in_check and lt_paused and st.auto_managed
    complete = has_metadata and wanted_done >= wanted and not in_check
    failed = bool(failed_code or job.error)
    super_seeding = st.super_seeding
    state = state_code(job, failed, checking, complete, lt_paused, super_seeding)
    if lt_state == S.checking_resume_data:  # the first ~100 ms after a restore: show what was saved
        progress, done = job.progress, job.wanted_done
    else:
        progress = st.progress_ppm // 1000 if not complete else 1000
        done = wanted_done
        job.progress, job.wanted_done = progress, done  # saved with the record, shown after a restart
    remaining = max(wanted - done, 0)
    downloaded, uploaded = st.all_time_download, st.all_time_upload
    seeds = st.num_seeds
    return TorrentView(
        hash=job.hash, status=status_bits(job, failed, checking, check_queued, has_metadata, lt_paused), name=job.name, size=wanted,
        progress=progress,
        downloaded=downloaded, uploaded=uploaded,
        ratio=uploaded * 1000 // downloaded if downloaded else (-1 if uploaded else 0),
        # libtorrent's rates are averages that decay for seconds after the last peer left
        up_rate=st.upload_payload_rate if peers else 0,
        down_rate=down_rate if peers and remaining else 0,
        eta=_eta(down_rate, remaining),
        label=job.label,
        peers_connected=peers - seeds,
        peers_swarm=_swarm(st.num_incomplete, st.list_peers - st.list_seeds),
        seeds_connected=seeds, seeds_swarm=_swarm(st.num_complete, st.list_seeds),
        availability=_availability(st, seeds),
        queue_order=st.queue_position + 1 if st.queue_position >= 0 else -1,
        remaining=remaining, download_url=job.download_url, rss_feed_url=job.rss_feed_url,
        status_message=status_message(st, job, state, error, check_queued), added_on=job.added_on,
        completed_on=job.completed_on or _finished_at(st, progress),
        save_path=_folder(st.save_path, job), state=state,
        total_size=job.total_size or wanted, tags=job.tags, sequential=job.sequential,
        first_last=job.first_last, super_seeding=super_seeding, mode=job.mode, paused=job.paused,
        dl_limit=job.dlrate, ul_limit=job.ulrate, seed_override=job.seed_override, seed_ratio=job.seed_ratio,
        seed_time=job.seed_time,
        # as of the torrent's last change: time alone does not rebuild a view (deltas stay small)
        active_time=seconds(st.active_duration), seeding_time=seconds(st.seeding_duration),
        tracker=st.current_tracker, has_metadata=has_metadata, moving=st.moving_storage,
        check_queued=check_queued,
        error=job.error or error, last_activity=_last_activity(st),
    )
