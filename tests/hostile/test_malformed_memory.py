"""Issue 14 item 9: rejected .torrent files leave no memory behind."""

from __future__ import annotations

import random

import libtorrent as lt

from tests.api.support import bencode, make_torrent, multipart
from tests.hostile.support import rss_kib, tracebacks

CORPUS_SIZE = 242


def corpus(valid: bytes, rng: random.Random) -> list[bytes]:
    """242 malformed .torrent files: cut, flipped, mistyped, lying about lengths, nested, huge."""
    files: list[bytes] = []
    files += [valid[:rng.randrange(1, len(valid))] for _ in range(60)]  # truncated
    for _ in range(60):  # bytes flipped
        data = bytearray(valid)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        files.append(bytes(data))
    files += [b"d4:infod6:lengthi-1e4:name1:x12:piece lengthi16384e6:pieces20:" + b"p" * 20 + b"ee"] * 5
    files += [b"d4:infod4:name1:x12:piece lengthi0e6:pieces0:6:lengthi1eee"] * 5
    files += [b"d4:info" + b"l" * n + b"e" * n + b"e" for n in (1000, 10000, 100000, 500000, 1000000)]
    files += [b"d4:infod4:name" + b"99999999999:x" + b"ee"] * 5  # a string longer than the file
    files += [bencode({"info": {"name": "x" * rng.randint(1, 70000), "piece length": 16384, "length": 10**15,
                                "pieces": b"\0" * 20 * rng.randint(0, 3000)}}) for _ in range(40)]
    files += [bencode({"info": {"name": "m", "piece length": 16384, "pieces": b"\1" * 20,
                                "files": [{"length": 1, "path": [str(i), "a" * 200]} for i in range(rng.randint(1, 4000))]}})
              for _ in range(30)]
    files += [rng.randbytes(size) for size in (5 << 20, 19 << 20, 21 << 20, 31 << 20)]  # up to the upload cap
    files += [b"d4:info" + b"0:" * (size // 2) + b"e" for size in (8 << 20, 30 << 20)]
    files = [data for data in files if not _loads(data)]  # a flip inside a piece hash is still a torrent
    while len(files) < CORPUS_SIZE:
        files.append(rng.choice([valid[:rng.randrange(1, len(valid))], rng.randbytes(rng.randint(1, 200000))]))
    return files[:CORPUS_SIZE]


def _loads(data: bytes) -> bool:
    """What libtorrent (the daemon's parser) makes of it here: a torrent or not."""
    try:
        decoded = lt.bdecode(data)
        if decoded is None:
            return False
        lt.torrent_info(decoded)
        return True
    except Exception:  # any refusal, in any binding version
        return False


def test_242_malformed_uploads_leave_rss_within_5_mb(daemon, tmp_path):
    made = make_torrent(tmp_path / "src", "valid.bin", {"pack/valid.bin": b"v" * 300_000, "pack/b/other.bin": b"o" * 5000})
    files = corpus(made.data, random.Random(9))
    warm = corpus(made.data, random.Random(10))[:20]
    for data in warm:  # the first rejections load code paths: the start is measured after them
        _upload(daemon, data)
    start = rss_kib(daemon.proc.pid)
    added = 0
    for data in files:
        added += "error" not in _upload(daemon, data)
    end = rss_kib(daemon.proc.pid)
    print(f"RSS {start / 1024:.1f} -> {end / 1024:.1f} MiB after {len(files)} malformed uploads ({added} accepted)")
    assert end - start <= 5 * 1024
    assert daemon.proc.poll() is None and not tracebacks(daemon)


def _upload(daemon, data: bytes) -> dict:
    body, ctype = multipart(data)
    return daemon.api({"action": "add-file"}, data=body, headers={"Content-Type": ctype})
