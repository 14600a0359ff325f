"""GatedConnection: a worker thread serves a connection only once its request has arrived.

cheroot hands every new connection to a worker at once, and the worker waits up to `timeout`
seconds per byte for the request line: 8 idle sockets took all 8 workers (issue 14, item 1).
Here a worker takes whatever bytes have arrived without waiting and, while the header is
incomplete, gives the connection back to cheroot's selector (no worker held, no thread, no
timer: an idle daemon wakes no more often). The bytes kept are replayed to cheroot's parser.

"Arrived": the header and the body, or its first MAX_HEAD bytes (a .torrent upload can be larger:
its worker reads the rest); a client with fewer than SERVING_PER_ADDRESS requests in workers gets
one at the header's end, so a body that stalls is answered 400 after BODY_READ_TIMEOUT.
Bounds: MAX_PER_ADDRESS open connections per client (an IPv6 client's /64), HEADER_DEADLINE seconds
from a request's first byte to its arrival, MAX_HEAD bytes kept per connection. Idle connections
are closed by cheroot's selector after the server's `timeout`.
"""

from __future__ import annotations

import re
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
SERVING_PER_ADDRESS = 2  # requests of one client in workers while their bodies are still coming


class _ReplayIO(socket.SocketIO):
    """The socket's reader, giving back first the bytes the gate took from it."""

    def __init__(self, sock: socket.socket):
        super().__init__(sock, "rb")
        self.sock = sock  # SocketIO's own reference (_sock) is private
        self.kept = bytearray()
        self.read_timeout: float | None = None  # set while a request is served
        self.timed_out = False  # a body stalled: the connection ends after this answer

    def readinto(self, buffer) -> int | None:
        if self.kept:
            count = min(len(buffer), len(self.kept))
            buffer[:count] = self.kept[:count]
            del self.kept[:count]
            return count
        if self.timed_out:
            return 0  # the end: cheroot then answers (it reads what is left of a body first)
        if self.read_timeout is None:
            return super().readinto(buffer)
        sock = self.sock
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
        super(StreamReader, self).__init__(_ReplayIO(sock), bufsize)  # BufferedReader's: StreamReader's makes its own SocketIO
        self.bytes_read = 0


class _Census:
    """Open connections, and requests in worker threads, per client key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()
        self.serving: Counter[str] = Counter()

    def serve(self, key: str, delta: int) -> None:
        with self._lock:
            self.serving[key] += delta
            if self.serving[key] <= 0:
                del self.serving[key]  # one entry per client being served, never per client seen

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
        CENSUS.serve(self._key, 1)
        try:
            return super().communicate() and not raw.timed_out
        finally:
            raw.read_timeout = None
            CENSUS.serve(self._key, -1)

    def _gather(self) -> bool | None:
        """None when the request may be served now; else True (park) or False (close)."""
        kept: bytearray = self.rfile.raw.kept
        if self.rfile.has_data():  # pipelined bytes cheroot's reader already holds
            kept[:0] = self.rfile.read1(MAX_HEAD)
        if _arrival(kept) is not WHOLE:
            try:
                chunk = _recv_now(self.socket)
            except OSError:
                return False
            if chunk == b"":
                return False  # the client closed before finishing a request
            kept += chunk or b""
        if kept and self._first_byte is None:
            self._first_byte = time.monotonic()
        arrival = _arrival(kept)
        # A body still on its way waits here, unless this client has few requests in workers:
        # then a worker reads it (and answers 400 if it stalls), so a short body gets a quick answer.
        if arrival is WHOLE or (arrival is HEADER and CENSUS.serving[self._key] < SERVING_PER_ADDRESS):
            return None
        first = self._first_byte  # set above whenever bytes are kept
        return not (kept and first is not None and time.monotonic() - first > HEADER_DEADLINE)

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


_LENGTH = re.compile(rb"\r?\ncontent-length:[ \t]*(\d{1,12})[ \t]*\r?\n", re.IGNORECASE)
_CONTINUE = re.compile(rb"\r?\nexpect:[ \t]*100-continue", re.IGNORECASE)


PARTIAL, HEADER, WHOLE = "partial", "header", "whole"


def _arrival(kept: bytearray) -> str:
    """WHOLE: the header and the body (its first MAX_HEAD bytes), or more than cheroot accepts in a
    header (it answers the error itself), or a client waiting for "100 Continue". HEADER: the
    header, the body still on its way. PARTIAL: not even the header."""
    end = kept.find(b"\r\n\r\n")
    if end < 0:
        end = kept.find(b"\n\n")
        if end < 0:
            return WHOLE if len(kept) >= MAX_HEAD else PARTIAL
        end += 2
    else:
        end += 4
    head = bytes(kept[:end])
    if _CONTINUE.search(head):
        return WHOLE
    length = _LENGTH.search(head)
    wanted = min(end + (int(length.group(1)) if length else 0), MAX_HEAD)
    return WHOLE if len(kept) >= wanted else HEADER
