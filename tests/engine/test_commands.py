"""Commands on torrents and what µTorrent clients then see: STATUS bits, states, files on disk."""

import os
import shutil

import pytest

from tests.support.daemon import wait_for
from utserver.engine import AddError, AddOptions, JobError
from utserver.engine.views import CHECKED, ERROR, LOADED, PAUSED, QUEUED, STARTED


@pytest.fixture
def added(make_engine, content):
    torrent, seed_dir, data = content
    env = make_engine({"dir_torrent_files": "torrents"})
    return env, env.engine.add_bytes(torrent, AddOptions(stopped=True))


def test_stop_start_pause_unpause_forcestart_show_the_status_bits_clients_expect(added):
    env, h = added
    steps = [  # (command, STATUS bits, status message)
        (None, LOADED | CHECKED, "Stopped"),                                   # 136
        (env.engine.forcestart, LOADED | CHECKED | STARTED, "[F] Downloading"),  # 137
        (env.engine.pause, LOADED | CHECKED | STARTED | PAUSED, "Paused"),       # 169
        (env.engine.unpause, LOADED | CHECKED | STARTED, "[F] Downloading"),
        (env.engine.stop, LOADED | CHECKED, "Stopped"),
        (env.engine.start, LOADED | CHECKED | QUEUED | STARTED, "Downloading"),  # 201
        (env.engine.pause, LOADED | CHECKED | QUEUED | STARTED | PAUSED, "Paused"),  # 233
    ]
    for command, bits, message in steps:
        if command:
            command(h)
        env.wait_view(h, lambda v, bits=bits, message=message: v.status == bits and v.status_message == message,
                      f"{message} ({bits})")


def test_start_runs_a_stopped_torrent_at_once_when_the_queue_has_room(added):
    """Not at libtorrent's next queue pass: a peer that connects right after Start is accepted."""
    env, h = added
    handle = env.engine.table.get(h).handle
    env.engine.start(h)
    assert not handle.status().paused  # status() is answered after the commands sent before it


def test_unknown_hashes_and_bad_values_are_refused_with_a_message(added):
    env, h = added
    with pytest.raises(JobError, match="no torrent with hash"):
        env.engine.start("0" * 40)
    with pytest.raises(ValueError, match="priority 9"):
        env.engine.set_file_priority(h, [0], 9)
    with pytest.raises(ValueError, match="file 7 does not exist"):
        env.engine.set_file_priority(h, [7], 1)
    with pytest.raises(ValueError, match="unknown property"):
        env.engine.set_prop(h, "colour", "red")
    with pytest.raises(ValueError, match="seed_ratio"):
        env.engine.set_prop(h, "seed_ratio", "lots")


def test_props_round_trip_in_utorrent_units(added):
    env, h = added
    for key, value in [("ulrate", "10240"), ("dlrate", "20480.0"), ("seed_override", "1"),
                       ("seed_ratio", "1500"), ("seed_time", "3600"), ("ulslots", "2"), ("pex", "0"),
                       ("superseed", "1"), ("trackers", "http://a.example/announce\r\n\r\nudp://b.example:80")]:
        env.engine.set_prop(h, key, value)
    env.engine.set_prop(h, "label", "films")
    props = env.engine.props(h)
    assert props == {"hash": h, "ulrate": 10240, "dlrate": 20480, "seed_override": 1, "seed_ratio": 1500,
                     "seed_time": 3600, "ulslots": 2, "pex": 0, "dht": 1, "superseed": 1,
                     "trackers": "http://a.example/announce\r\n\r\nudp://b.example:80\r\n"}
    assert env.view(h).label == "films"
    assert env.engine.labels() == [("films", 1)]
    env.engine.labels().clear()  # a caller's copy: the next poll's count is not touched
    env.engine.set_prop(h, "label", "series")
    assert env.engine.labels() == [("series", 1)], "the count follows the views, not its last answer"


def test_the_four_removes(make_engine, content, tmp_path):
    torrent, seed_dir, data = content
    env = make_engine({"dir_active": str(seed_dir), "dir_torrent_files": "torrents"})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.progress == 1000, "checked data")
    stored = next((env.tmp / "torrents").glob("*.torrent"))
    env.engine.remove(h)                                  # remove: data and .torrent stay
    assert (seed_dir / "album" / "one.bin").exists() and stored.exists() and h not in env.engine.snapshot()
    env.engine.add_bytes(torrent)
    env.engine.remove(h, torrent=True)                    # removetorrent: the .torrent goes
    assert not list((env.tmp / "torrents").glob("*.torrent")) and (seed_dir / "album").exists()
    env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.progress == 1000, "checked data")
    env.engine.remove(h, data=True, torrent=True)         # removedatatorrent: both go
    wait_for(lambda: not (seed_dir / "album" / "one.bin").exists(), what="data deleted")
    assert not (seed_dir / "album" / "sub" / "two.bin").exists()
    assert not list((env.tmp / "state" / "resume").glob("*.resume"))


def test_sub_paths_stay_inside_the_download_folder(make_engine, content, tmp_path):
    torrent, _, _ = content
    env = make_engine({"dir_download": str(tmp_path / "movies")})
    for bad in ("../escape", "a/../../b", "sub/../.."):
        with pytest.raises(AddError, match=r"'\.\.'"):
            env.engine.add_bytes(torrent, AddOptions(sub_path=bad))
    (tmp_path / "engine" / "active").mkdir(exist_ok=True)
    os.symlink("/etc", tmp_path / "engine" / "active" / "link")  # a symlink inside cannot lead out
    with pytest.raises(AddError, match="outside the download folder"):
        env.engine.add_bytes(torrent, AddOptions(sub_path="link"))
    with pytest.raises(AddError, match="download_dir 2 does not exist"):
        env.engine.add_bytes(torrent, AddOptions(download_dir=2))
    h = env.engine.add_bytes(torrent, AddOptions(download_dir=1, sub_path="/2024/new"))  # a leading / is relative
    job = env.engine.table.get(h)
    assert job.final_dir == str(tmp_path / "movies" / "2024" / "new")
    assert job.active_dir == str(tmp_path / "engine" / "active" / "2024" / "new")


def test_a_failed_move_keeps_the_data_and_reports_the_error(make_engine, seeder, content, tmp_path):
    torrent, seed_dir, data = content
    blocked = tmp_path / "blocked"
    env = make_engine({"dir_completed": str(blocked)})
    h = env.engine.add_bytes(torrent)
    (blocked / "album").mkdir(parents=True)
    (blocked / "album" / "one.bin").write_text("someone else's file")  # the move must not overwrite it
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    view = env.wait_view(h, lambda v: v.progress == 1000 and "moving the data failed" in v.status_message,
                         "the move error")
    assert view.status & ERROR and view.state == 1 and view.status_message.startswith("Error: moving")
    assert (env.tmp / "active" / "album" / "one.bin").read_bytes() == data["one.bin"]
    assert (blocked / "album" / "one.bin").read_text() == "someone else's file"


def test_an_idle_seed_stops_at_its_time_goal_without_any_peer(make_engine, content):
    """No peer, so no new status: the goal is checked on the pump's clock (issue: stayed Seeding)."""
    torrent, seed_dir, _ = content
    env = make_engine({"dir_active": str(seed_dir)})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    env.engine.set_prop(h, "seed_override", "1")
    env.engine.set_prop(h, "seed_time", "3")
    view = env.wait_view(h, lambda v: v.mode == "stopped", "stopped at the seeding time goal", timeout=25)
    assert view.state == 11  # Finished: complete and stopped


def test_data_already_at_its_final_place_is_checked_and_seeded_there(make_engine, content, tmp_path):
    """add-file&download_dir=1&path=sub with the files in that folder: used, not downloaded again."""
    torrent, seed_dir, data = content
    final = tmp_path / "dl2" / "sub"
    shutil.copytree(seed_dir, final)
    env = make_engine({"dir_download": str(tmp_path / "dl2")})
    h = env.engine.add_bytes(torrent, AddOptions(download_dir=1, sub_path="sub"))
    view = env.wait_view(h, lambda v: v.state == 5, "seeding from the final folder")
    assert view.progress == 1000 and view.save_path == str(final)
    assert not (tmp_path / "engine" / "active" / "sub" / "album").exists()
    assert {p.name for p in (final / "album").rglob("*.bin")} == {"one.bin", "two.bin"}
