"""Issue 14 item 1: idle and slow-header sockets from one address never starve the owner."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from tests.hostile.support import basic, connect, get, open_fds, rss_kib, tracebacks, wakeups_per_s
from tests.support.daemon import wait_for
from utserver.web.gate import MAX_PER_ADDRESS

ATTACKER, OWNER = "127.0.0.3", "127.0.0.2"
IDLE, SLOW, OWNER_REQUESTS = 200, 50, 40


def _open(daemon, count: int) -> list:
    socks = []
    for _ in range(count):
        try:
            socks.append(connect(daemon, ATTACKER))
        except OSError:
            pass  # refused or reset at once: the daemon defends itself, the attack goes on
    return socks


def _trickle(socks: list, stop: threading.Event) -> None:
    """Slow headers: a request line, then one header byte a second, never the blank line."""
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.sendall(b"GET /gui/token.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    while not stop.wait(1.0):
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.send(b"X")


def _timed_requests(daemon, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.monotonic()
        status, _ = get(daemon, "/gui/token.html", source=OWNER, timeout=5)
        assert status == 200
        times.append(time.monotonic() - started)
    return sorted(times)


@pytest.fixture
def quiet_daemon(make_daemon):
    daemon = make_daemon().start()
    get(daemon, "/gui/token.html", source=OWNER)  # first request's imports done before measuring
    return daemon


def test_idle_and_slow_header_sockets_do_not_starve_the_owner(quiet_daemon):
    daemon = quiet_daemon
    pid = daemon.proc.pid
    rss_before, wake_before, fds_before = rss_kib(pid), wakeups_per_s(pid, 10), open_fds(pid)

    idle = _open(daemon, IDLE)
    slow = _open(daemon, SLOW)
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(slow, stop), daemon=True)
    trickler.start()
    try:
        times = _timed_requests(daemon, OWNER_REQUESTS)
        p99 = times[int(len(times) * 0.99) - 1 if len(times) < 100 else int(len(times) * 0.99)]
        assert times[-1] < 1.0, f"owner's requests took up to {times[-1]:.2f} s (median {times[len(times) // 2]:.3f})"
        assert p99 < 1.0
    finally:
        stop.set()
        trickler.join(5)
        for sock in idle + slow:
            sock.close()

    wait_for(lambda: open_fds(pid) <= fds_before, timeout=30, what="the daemon to close the hostile sockets")
    wake_after = wakeups_per_s(pid, 10)
    rss_after = rss_kib(pid)
    print(f"idle RSS {rss_before} -> {rss_after} KiB; wake-ups {wake_before:.2f} -> {wake_after:.2f}/s; "
          f"owner max {times[-1] * 1000:.0f} ms")
    assert rss_after <= rss_before * 1.10
    assert wake_after <= wake_before * 1.10 + 0.2  # 0.2/s: two switches in a 10 s window
    assert daemon.proc.poll() is None and not tracebacks(daemon)


def test_held_idle_sockets_cost_no_wakeups(quiet_daemon):
    """Idle connections wait in cheroot's selector: no worker, no timer, no extra wake-up."""
    daemon = quiet_daemon
    pid = daemon.proc.pid
    wake_before, fds_before = wakeups_per_s(pid, 10), open_fds(pid)
    idle = _open(daemon, IDLE)
    try:
        # One address holds at most MAX_PER_ADDRESS of the daemon's sockets; the rest are shut.
        wait_for(lambda: open_fds(pid) <= fds_before + MAX_PER_ADDRESS, timeout=10, what="refusals past the per-address cap")
        wait_for(lambda: wakeups_per_s(pid, 1) < 5, timeout=10, what="the refusals' work to end")
        wake_held = wakeups_per_s(pid, 10)
        status, _ = get(daemon, "/gui/token.html", source=OWNER, timeout=2)
        assert status == 200
    finally:
        for sock in idle:
            sock.close()
    print(f"wake-ups idle {wake_before:.2f}/s, holding {len(idle)} idle sockets {wake_held:.2f}/s")
    assert wake_held <= wake_before * 1.10 + 0.5  # +0.5: cheroot's expiry of the held ones, once


def test_a_slow_header_is_cut_at_the_deadline(quiet_daemon):
    daemon = quiet_daemon
    sock = connect(daemon, ATTACKER, timeout=1)
    sock.sendall(b"GET /gui/token.html HTTP/1.1\r\n")

    def closed() -> bool:
        try:
            sock.send(b"X")
            return sock.recv(1, 0x40) == b""  # MSG_DONTWAIT
        except BlockingIOError:
            return False
        except OSError:
            return True
    try:
        wait_for(lambda: (time.sleep(0.5), closed())[1], timeout=25, what="the slow header to be cut")
    finally:
        sock.close()


def test_a_header_sent_in_pieces_is_answered(quiet_daemon):
    """The gate keeps what came before: a header split over several packets is served whole."""
    daemon = quiet_daemon
    sock = connect(daemon, OWNER)
    try:
        for piece in (b"GET /gui/token.html HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n",
                      f"Authorization: {basic()}\r\n".encode(), b"Connection: close\r\n\r\n"):
            sock.sendall(piece)
            time.sleep(0.2)  # separate packets, as a slow link delivers them
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 200") and b"id='token'" in data


def test_slow_bodies_do_not_starve_the_owner(quiet_daemon):
    """Whole headers, then a body trickled a byte a second: the worker waits for none of them."""
    daemon = quiet_daemon
    token = daemon.token()
    slow = _open(daemon, SLOW)
    head = (f"POST /gui/?token={token}&action=add-file HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {basic()}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000\r\n\r\n").encode()
    stop = threading.Event()

    def trickle() -> None:
        for sock in slow:
            with contextlib.suppress(OSError):
                sock.sendall(head)
        while not stop.wait(1.0):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.send(b"-")
    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        times = _timed_requests(daemon, OWNER_REQUESTS)
        assert times[-1] < 1.0, f"owner's requests took up to {times[-1]:.2f} s"
    finally:
        stop.set()
        trickler.join(5)
        for sock in slow:
            sock.close()
    assert daemon.proc.poll() is None and not tracebacks(daemon)
