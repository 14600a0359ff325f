"""finish_cmd / state_cmd: substitutions arrive intact and no torrent name reaches a shell."""

import json
import sys

from tests.support.daemon import wait_for
from tests.support.swarm import make_files, make_torrent
from utserver.engine.events import expand

HOSTILE = "$(touch x); rm -rf ~"

# Records its arguments as JSON, one line per run.
RECORDER = "import json, sys; open(sys.argv[1], 'a').write(json.dumps(sys.argv[2:]) + '\\n')"


def recorder_cmd(out, *fields):
    return f"{sys.executable} -c \"{RECORDER}\" {out} " + " ".join(fields)


def runs(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_hostile_torrent_name_runs_nothing(make_engine, seeder, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "canary").write_text("still here")
    monkeypatch.setenv("HOME", str(home))  # had a shell seen the name, ~ would be this sandbox
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "seed" / HOSTILE
    data = make_files(root.parent, {HOSTILE: 50_000})
    torrent = make_torrent(root, piece_size=16384)
    out = tmp_path / "finished.jsonl"
    env = make_engine({"finish_cmd": recorder_cmd(out, "%N", "%D", "%F", "%L", "%I", "%S")})
    h = env.engine.add_bytes(torrent)
    seeder.connect(seeder.seed(torrent, root.parent), env.port)
    wait_for(lambda: runs(out), what="finish_cmd to run")
    name, folder, single_file, label, info_hash, state = runs(out)[0]
    assert name == HOSTILE and single_file == HOSTILE and info_hash == h and label == ""
    assert state in ("5", "11")  # seeding, or finished
    assert (env.tmp / "active" / HOSTILE).read_bytes() == data[HOSTILE]
    assert folder == str(env.tmp / "active")
    assert not (tmp_path / "x").exists() and not (env.tmp / "x").exists()
    assert (home / "canary").read_text() == "still here"


def test_state_cmd_gets_the_new_and_previous_state(make_engine, content, tmp_path):
    torrent, seed_dir, _ = content
    out = tmp_path / "states.jsonl"
    env = make_engine({"state_cmd": recorder_cmd(out, "%S", "%P", "%N", "%M")})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 6, "downloading")  # queued -> downloading (no peers)
    env.engine.stop(h)
    wait_for(lambda: ["13", "6", "album", "Stopped"] in runs(out), what="state_cmd for Stopped")


def test_substitution_happens_inside_words_and_percent_escapes():
    assert expand("mv '%D/%N' /done/%L-%I.txt 100%%", {"D": "/data", "N": "a b; c", "L": "tv", "I": "AB"}) == \
        ["mv", "/data/a b; c", "/done/tv-AB.txt", "100%"]


def test_finish_cmd_runs_after_the_move_with_the_final_folder_and_the_previous_state(make_engine, seeder, tmp_path):
    """µTorrent: %D is where the files are when the command runs, %P the state before %S."""
    root = tmp_path / "seed" / "done.bin"
    make_files(root.parent, {"done.bin": 80_000})
    torrent = make_torrent(root, piece_size=16384)
    out = tmp_path / "finished.jsonl"
    completed = tmp_path / "completed"
    env = make_engine({"finish_cmd": recorder_cmd(out, "%D", "%S", "%P"), "dir_completed": str(completed)})
    env.engine.add_bytes(torrent)
    seeder.connect(seeder.seed(torrent, root.parent), env.port)
    wait_for(lambda: runs(out), what="finish_cmd to run")
    folder, state, previous = runs(out)[0]
    assert folder == str(completed) and (completed / "done.bin").is_file()
    assert state == "5" and previous == "6"  # Seeding, after Downloading
