"""GatedConnection: a worker thread serves a connection only once its request header is complete.

cheroot hands every new connection to a worker at once, and the worker waits up to `timeout`
seconds per byte for the request line: 8 idle sockets took all 8 workers (issue 14, item 1).
Here a worker takes whatever bytes have arrived without waiting and, while the header is
incomplete, gives the connection back to cheroot's selector (no worker held, no thread, no
timer: an idle daemon wakes no more often). The bytes kept are replayed to cheroot's parser.

Bounds: MAX_PER_ADDRESS open connections per client (an IPv6 client's /64), HEADER_DEADLINE
seconds from a header's first byte to its end, MAX_HEAD bytes (then cheroot's own limit answers),
BODY_READ_TIMEOUT seconds of silence while a body is read. Idle connections are closed by
cheroot's selector after the server's `timeout`.
"""

from __future__ import annotations

import _pyio
import socket
import threading
import time
from collections import Counter

from cheroot import server as cheroot_server
from cheroot.makefile import StreamReader

from utserver.web import access

MAX_PER_ADDRESS = 64  # a browser opens 6 per host; NAT and scripts in parallel (40 measured) share one
HEADER_DEADLINE = 10.0
MAX_HEAD = 64 * 1024  # also cheroot's max_request_header_size (server.py)
BODY_READ_TIMEOUT = 5.0  # a Content-Length longer than the body gets 400 after this


class _ReplayIO(socket.SocketIO):
    """The socket's reader, giving back first the bytes the gate took from it."""

    def __init__(self, sock: socket.socket):
        super().__init__(sock, "rb")
        self.kept = bytearray()
        self.read_timeout: float | None = None  # set while a request is served
        self.timed_out = False  # a body stalled: the connection ends after this answer

    def readinto(self, buffer) -> int:
        if self.kept:
            count = min(len(buffer), len(self.kept))
            buffer[:count] = self.kept[:count]
            del self.kept[:count]
            return count
        if self.timed_out:
            return 0  # the end: cheroot then answers (it reads what is left of a body first)
        if self.read_timeout is None:
            return super().readinto(buffer)
        sock = self._sock
        before = sock.gettimeout()
        sock.settimeout(self.read_timeout)  # reads only: a slow reader of a large answer keeps `timeout`
        try:
            return super().readinto(buffer)
        except TimeoutError:
            self.timed_out = True
            raise
        finally:
            sock.settimeout(before)


class _ReplayReader(StreamReader):
    """cheroot's reader (byte counts, has_data) over a _ReplayIO."""

    def __init__(self, sock: socket.socket, bufsize: int):
        _pyio.BufferedReader.__init__(self, _ReplayIO(sock), bufsize)  # StreamReader's base: cheroot 9-11
        self.bytes_read = 0


class _Census:
    """Open connections per client key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()

    def enter(self, key: str) -> int:
        with self._lock:
            self._open[key] += 1
            return self._open[key]

    def leave(self, key: str) -> None:
        with self._lock:
            self._open[key] -= 1
            if self._open[key] <= 0:
                del self._open[key]


CENSUS = _Census()


def client_key(sock: socket.socket) -> str:
    try:
        return access.client_key(sock.getpeername()[0])
    except (OSError, IndexError, TypeError):
        return ""


class GatedConnection(cheroot_server.HTTPConnection):
    def __init__(self, server, sock, makefile=None):
        super().__init__(server, sock)
        self.rfile = _ReplayReader(sock, self.rbufsize)
        self._key = client_key(sock)
        self._admitted = CENSUS.enter(self._key) <= MAX_PER_ADDRESS
        self._counted = True
        self._first_byte: float | None = None

    def communicate(self) -> bool:
        """False closes the connection; True parks it in the selector until more bytes arrive."""
        if not self._admitted:
            return False
        state = self._gather()
        if state is not None:
            return state
        raw: _ReplayIO = self.rfile.raw
        raw.read_timeout, self._first_byte = BODY_READ_TIMEOUT, None
        try:
            return super().communicate() and not raw.timed_out
        finally:
            raw.read_timeout = None

    def _gather(self) -> bool | None:
        """None when the header is complete; else True (park) or False (close)."""
        kept: bytearray = self.rfile.raw.kept
        if self.rfile.has_data():  # pipelined bytes cheroot's reader already holds
            kept[:0] = self.rfile.read1(MAX_HEAD)
        if not _complete(kept):
            try:
                chunk = _recv_now(self.socket)
            except OSError:
                return False
            if chunk == b"":
                return False  # the client closed before finishing a request
            kept += chunk or b""
        if kept and self._first_byte is None:
            self._first_byte = time.monotonic()
        if _complete(kept):
            return None
        if kept and time.monotonic() - self._first_byte > HEADER_DEADLINE:
            return False
        return True

    def close(self) -> None:
        if self._counted:
            self._counted = False
            CENSUS.leave(self._key)
        super().close()


def _recv_now(sock: socket.socket) -> bytes | None:
    """What has arrived, without waiting (None: nothing yet). A socket with a timeout polls
    before recv even with MSG_DONTWAIT, so the timeout is lifted for the call."""
    before = sock.gettimeout()
    sock.settimeout(0.0)
    try:
        return sock.recv(MAX_HEAD)
    except (BlockingIOError, InterruptedError):
        return None
    finally:
        sock.settimeout(before)


def _complete(kept: bytearray) -> bool:
    """A whole header, or more than cheroot accepts (it then answers the error itself)."""
    return b"\r\n\r\n" in kept or b"\n\n" in kept or len(kept) >= MAX_HEAD
