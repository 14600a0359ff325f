"""The engine's members the qBittorrent and Transmission fronts build on, on a real session."""

from pathlib import Path

import pytest

from tests.support.daemon import wait_for
from tests.support.swarm import make_torrent
from utserver.engine import FORCED, AddOptions, JobError, State


def test_add_options_reach_the_job_and_its_view(make_engine, content):
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent, AddOptions(name="My album", tags=("b", "a", "a"), sequential=True,
                                                 first_last=True, dl_limit=5000, ul_limit=6000, forced=True,
                                                 seed_override=True, seed_ratio=1500, seed_time=60))
    view = env.wait_view(h, lambda v: v.state == State.F_SEEDING, "forced seeding")
    assert (view.name, view.tags, view.sequential, view.first_last) == ("My album", ("a", "b"), True, True)
    assert (view.dl_limit, view.ul_limit, view.mode) == (5000, 6000, FORCED)
    assert (view.seed_override, view.seed_ratio, view.seed_time) == (True, 1500, 60)
    assert view.total_size == 1_500_000 and view.has_metadata


def test_tags_sequential_and_rename_change_the_view_and_survive_a_restart(make_engine, content):
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.engine.set_tags(h, ["tv", " hd ", ""])
    env.engine.set_sequential(h, True)
    env.engine.rename(h, "Renamed")
    view = env.view(h)
    assert (view.tags, view.sequential, view.name) == (("hd", "tv"), True, "Renamed")
    with pytest.raises(ValueError):
        env.engine.rename(h, "  ")
    with pytest.raises(JobError):
        env.engine.set_tags("0" * 40, ["x"])
    env.close()
    from utserver.engine import Engine
    reopened = Engine(env.settings)
    reopened.open()
    try:
        wait_for(lambda: h in reopened.snapshot(), what="restored")
        view = reopened.snapshot()[h]
        assert (view.tags, view.sequential, view.name) == (("hd", "tv"), True, "Renamed")
    finally:
        reopened.close()


def test_move_puts_the_data_in_the_folder_and_keeps_it_there(make_engine, content, tmp_path):
    torrent, seed_dir, data = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.progress == 1000, "checked complete")
    target = tmp_path / "moved"
    env.engine.move(h, str(target))
    wait_for(lambda: (target / "album" / "one.bin").is_file() and not (seed_dir / "album" / "one.bin").exists(),
             what="the data moved")
    env.wait_view(h, lambda v: v.save_path == str(target), "the new save path")
    assert (target / "album" / "sub" / "two.bin").read_bytes() == data["sub/two.bin"]
    with pytest.raises(ValueError):
        env.engine.move(h, "relative/folder")


def test_reads_trackers_web_seeds_pieces_and_details(make_engine, tmp_path):
    root = tmp_path / "seed" / "one.bin"
    root.parent.mkdir(parents=True)
    root.write_bytes(b"x" * 100_000)
    torrent = make_torrent(root, piece_size=16384, trackers=["http://127.0.0.1:9/announce"],
                           url_seeds=["http://127.0.0.1:9/seed/"])
    env = make_engine({"dir_active": str(root.parent)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.progress == 1000, "checked complete")
    trackers = env.engine.trackers(h)
    assert [t.url for t in trackers] == ["http://127.0.0.1:9/announce"]
    assert trackers[0].status in ("working", "updating", "not_working", "not_contacted")
    assert env.engine.web_seeds(h) == ["http://127.0.0.1:9/seed/"]
    assert env.engine.piece_states(h) == [2] * 7
    details = env.engine.details(h)
    assert (details.piece_length, details.num_pieces, details.pieces_have) == (16384, 7, 7)
    assert details.total_size == 100_000 and details.info_hash_v1.upper() == h
    assert details.magnet.startswith("magnet:?xt=urn:btih:")
    env.engine.reannounce(h)
    files = env.engine.files(h)
    assert [f.path for f in files] == ["one.bin"]


def test_totals_count_the_session(make_engine):
    env = make_engine()
    totals = env.engine.totals()
    assert totals["downloaded_session"] == totals["uploaded_session"] == 0
    assert totals["started_at"] > 0 and Path(env.settings.settings_path).is_dir()
