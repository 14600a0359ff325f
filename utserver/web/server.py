"""WebServer: the cheroot servers answering the API on ut_webui_port, one per bind address.

bind_ip empty: one dual-stack socket on "::" (IPv4 and IPv6), or 0.0.0.0 where the kernel has no
IPv6. A change of ut_webui_port or bind_ip (conf reload) re-binds. We own the cheroot Server
objects (not bottle.run), so stop() is ours and returns promptly.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import bottle
from cheroot import wsgi

from utserver.web import access
from utserver.web.app import make_app
from utserver.web.auth import Authenticator
from utserver.web.gate import MAX_HEAD, GatedConnection
from utserver.web.parts import MAX_BODY, Parts
from utserver.web.sessions import Sessions

log = logging.getLogger("utserver.web")

THREADS = 8  # cheroot parks idle connections in a selector; threads serve whole requests only (gate.py)
SHUTDOWN_WAIT = 1  # seconds; cheroot takes a whole number
# The listen backlog (cheroot's default: 5). A burst of connections beyond it makes the kernel drop
# SYNs, and the owner's next connect waits a 1 s retransmit: measured with 250 hostile sockets.
BACKLOG = 128
# How often cheroot's selector wakes to expire idle keep-alive connections (its default, 0.5 s,
# was two of an idle daemon's wake-ups a second). stop() waits for that wake-up: _stop() hurries it.
EXPIRY_INTERVAL = 10.0
_REBIND = {"ut_webui_port", "bind_ip"}


class WebServer:
    def __init__(self, settings, engine, rss=None, portmap=None):
        self.settings = settings
        self.parts = Parts(engine, settings, Authenticator(settings), Sessions(), rss, portmap)
        self.app = make_app(self.parts, access.machine_names())
        self._servers: list[tuple[wsgi.Server, threading.Thread]] = []
        self._bound: tuple[int, str] = (0, "")
        self._lock = threading.Lock()

    def start(self) -> None:
        """Bind (raising OSError when the port is taken) and serve in background threads."""
        with self._lock:
            self._bind(*self._wanted())
        self.settings.subscribe(self._on_settings)

    def stop(self) -> None:
        with self._lock:
            self._unbind()

    def _wanted(self) -> tuple[int, str]:
        return int(self.settings.get("ut_webui_port")), str(self.settings.get("bind_ip")).strip()

    def _on_settings(self, changed: set[str]) -> None:
        """A conf reload moved the port or address (both are conf-only, so never an API worker thread)."""
        if not changed & _REBIND:
            return
        with self._lock:
            before = self._bound
            self._unbind()
            try:
                self._bind(*self._wanted())
            except OSError as exc:
                log.error("%s; staying on the previous address", exc)
                self._bind(*before)

    def _bind(self, port: int, host: str) -> None:
        self._bound = (port, host)
        for candidate in ([host] if host else ["::", "0.0.0.0"]):
            try:
                self._serve(candidate, port)
                return
            except OSError as exc:
                if host or candidate != "::" or not _no_ipv6(exc):
                    raise OSError(exc.errno, f"web server cannot listen on {candidate} port {port} "
                                             f"(ut_webui_port, bind_ip): {exc.strerror}") from None

    def _serve(self, host: str, port: int) -> None:
        server = wsgi.Server((host, port), _with_sock_ip(self.app, host), numthreads=THREADS,
                             request_queue_size=BACKLOG, server_name="utserver", shutdown_timeout=SHUTDOWN_WAIT)
        server.max_request_body_size = MAX_BODY + 64 * 1024  # larger bodies get 413 from cheroot
        server.max_request_header_size = MAX_HEAD
        server.ConnectionClass = GatedConnection  # no worker for a connection until its header is whole
        server.expiration_interval = EXPIRY_INTERVAL
        server.prepare()
        thread = threading.Thread(target=server.serve, name=f"web {host}:{port}", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        log.info("web API listening on %s port %d", host, port)

    def _unbind(self) -> None:
        for server, thread in self._servers:
            _stop(server)
            thread.join(SHUTDOWN_WAIT * 2)
        self._servers = []


def _stop(server: wsgi.Server) -> None:
    """server.stop(), without waiting for the selector's next expiry wake-up: connections to the
    listening socket wake it until stop() has seen it return."""
    host, port = server.bind_addr[:2]
    host = {"::": "::1", "0.0.0.0": "127.0.0.1"}.get(host, host)
    stopper = threading.Thread(target=server.stop, name="web stop", daemon=True)
    stopper.start()
    deadline = time.monotonic() + EXPIRY_INTERVAL + SHUTDOWN_WAIT
    while stopper.is_alive() and time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
        except OSError:
            pass  # already closed: stop() is past the selector
        stopper.join(0.05)


def _no_ipv6(exc: OSError) -> bool:
    return exc.errno in (socket.EAI_FAMILY, 97, 99)  # EAFNOSUPPORT, EADDRNOTAVAIL


# On every answer: no MIME sniffing, and no framing by other sites (clickjacking the web UI).
SECURITY_HEADERS = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"),
                    ("Content-Security-Policy", "frame-ancestors 'self'")]


def _with_sock_ip(app, host: str):
    """Adds the listening address (get-sessions' sock_ip) and the security headers."""
    def wrapped(environ, start_response):
        environ["utserver.sock_ip"] = host

        def start(status, headers, exc_info=None):
            return start_response(status, headers + SECURITY_HEADERS, exc_info)
        try:
            return app(environ, start)  # the reply's own list holds its body until it is sent
        finally:
            # bottle keeps each thread's last reply body until that thread's next request: a full
            # listing of 10,000 torrents is megabytes, held by each of the THREADS (docs/bench.md)
            bottle.response.body = b""
    return wrapped
