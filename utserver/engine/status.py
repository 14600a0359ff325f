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


def error_text(st: lt.torrent_status) -> str:
    return st.errc.message() if st.errc.value() else ""


def is_checking(st: lt.torrent_status) -> bool:
    """Checking, or waiting in the check queue. checking_resume_data lasts ~100 ms after an add:
    not shown as checking; nor is a torrent stopped before its check (paused and unmanaged):
    it is stopped, and checks when started."""
    return st.state == S.checking_files and (st.auto_managed or not st.paused)


def is_check_queued(st: lt.torrent_status) -> bool:
    """Waiting for its turn to check: libtorrent's queue holds it paused and auto-managed."""
    return st.state == S.checking_files and st.paused and st.auto_managed


def is_complete(st: lt.torrent_status) -> bool:
    return st.has_metadata and st.total_wanted_done >= st.total_wanted and st.state != S.checking_files


def status_bits(st: lt.torrent_status, job: Job) -> int:
    bits = LOADED
    if st.errc.value() or job.error:
        return bits | ERROR | (CHECKED if st.has_metadata else 0)
    checking = is_checking(st)
    if checking:
        bits |= CHECKING | (START_AFTER_CHECK if is_check_queued(st) and job.mode != STOPPED else 0)
    elif st.has_metadata:
        bits |= CHECKED
    if job.paused:
        return bits | STARTED | PAUSED | (QUEUED_BIT if job.mode == QUEUED else 0)
    if job.mode == FORCED and not checking:
        return bits | STARTED
    if job.mode == QUEUED:
        return bits | QUEUED_BIT | (STARTED if not st.paused and not checking else 0)
    return bits


def state_code(st: lt.torrent_status, job: Job) -> int:
    """The manual's 1-13 state of a torrent (µTorrent WebUI getStatusInfo order)."""
    if st.errc.value() or job.error:
        return ST_ERROR
    if is_checking(st):
        return ST_CHECKED
    if job.paused:
        return ST_PAUSED
    done = is_complete(st)
    running = job.mode == FORCED or (job.mode == QUEUED and not st.paused)
    if running:
        state = ST_SUPERSEED if done and st.super_seeding else ST_SEEDING if done else ST_DOWNLOADING
        return _FORCED_STATE[state] if job.mode == FORCED else state
    if job.mode == QUEUED:
        return ST_QUEUED_SEED if done else ST_QUEUED
    return ST_FINISHED if done else ST_STOPPED


def status_message(st: lt.torrent_status, job: Job, state: int) -> str:
    if state == ST_ERROR:
        return "Error: " + (job.error or error_text(st))  # ours says it in the user's words
    if state == ST_CHECKED:
        return "Queued for checking" if is_check_queued(st) else f"Checked {st.progress * 100:.1f}%"
    if job.mode == STOPPED and state in (ST_FINISHED, ST_STOPPED) and job.error:
        return "Error: " + job.error
    return STATE_TEXT[state]


def _swarm(total: int, fallback: int) -> int:
    return total if total >= 0 else fallback


def _finished_at(st: lt.torrent_status, progress: int) -> int:
    """libtorrent's own finish time, for the moment before torrent_finished_alert is handled."""
    return int(st.completed_time) if progress == 1000 else 0


def _eta(st: lt.torrent_status, remaining: int) -> int:
    if remaining <= 0:
        return 0
    return remaining // st.download_payload_rate if st.download_payload_rate > 0 else -1


def _availability(st: lt.torrent_status) -> int:
    if st.distributed_copies >= 0:
        return int(st.distributed_copies * 65536)
    return (st.num_seeds + 1) * 65536 if st.is_seeding else 0  # a seed reports -1


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
    state = state_code(st, job)
    if st.state == S.checking_resume_data:  # the first ~100 ms after a restore: show what was saved
        progress, done = job.progress, job.wanted_done
    else:
        progress = st.progress_ppm // 1000 if not is_complete(st) else 1000
        done = st.total_wanted_done
        job.progress, job.wanted_done = progress, done  # saved with the record, shown after a restart
    remaining = max(st.total_wanted - done, 0)
    downloaded, uploaded = st.all_time_download, st.all_time_upload
    return TorrentView(
        hash=job.hash, status=status_bits(st, job), name=job.name, size=st.total_wanted,
        progress=progress,
        downloaded=downloaded, uploaded=uploaded,
        ratio=uploaded * 1000 // downloaded if downloaded else (-1 if uploaded else 0),
        # libtorrent's rates are averages that decay for seconds after the last peer left
        up_rate=st.upload_payload_rate if st.num_peers else 0,
        down_rate=st.download_payload_rate if st.num_peers and remaining else 0,
        eta=_eta(st, remaining),
        label=job.label,
        peers_connected=st.num_peers - st.num_seeds,
        peers_swarm=_swarm(st.num_incomplete, st.list_peers - st.list_seeds),
        seeds_connected=st.num_seeds, seeds_swarm=_swarm(st.num_complete, st.list_seeds),
        availability=_availability(st),
        queue_order=st.queue_position + 1 if st.queue_position >= 0 else -1,
        remaining=remaining, download_url=job.download_url, rss_feed_url=job.rss_feed_url,
        status_message=status_message(st, job, state), added_on=job.added_on,
        completed_on=job.completed_on or _finished_at(st, progress),
        save_path=_folder(st.save_path, job), state=state,
        total_size=job.total_size or st.total_wanted, tags=job.tags, sequential=job.sequential,
        first_last=job.first_last, super_seeding=st.super_seeding, mode=job.mode, paused=job.paused,
        dl_limit=job.dlrate, ul_limit=job.ulrate, seed_override=job.seed_override, seed_ratio=job.seed_ratio,
        seed_time=job.seed_time,
        # as of the torrent's last change: time alone does not rebuild a view (deltas stay small)
        active_time=seconds(st.active_duration), seeding_time=seconds(st.seeding_duration),
        tracker=st.current_tracker, has_metadata=st.has_metadata, moving=st.moving_storage,
        check_queued=is_check_queued(st),
        error=job.error or error_text(st), last_activity=_last_activity(st),
    )
