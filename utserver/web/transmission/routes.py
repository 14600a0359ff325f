"""The Transmission front's routes: /transmission/rpc and Transmission's own web UI.

RpcGuard (every route here) refuses, in transmission-daemon's order and words: an address not in
webui.restrict (403), a foreign Host name (421: DNS rebinding), missing or wrong credentials
(401, realm "Transmission"), and on the RPC a missing or stale X-Transmission-Session-Id (409 with
the current id: the CSRF handshake every client does first).
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
from collections.abc import Callable

import bottle

from utserver.web.guard import Guard
from utserver.web.parts import MAX_BODY, Parts
from utserver.web.transmission import jsonrpc, webfiles
from utserver.web.transmission.call import Call, Front
from utserver.web.transmission.handshake import HEADER
from utserver.web.transmission.methods import dispatch

log = logging.getLogger("utserver.web")

BASE = "/transmission/"
WEB = BASE + "web/"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="Transmission"'}
JSON_TYPE = "application/json; charset=UTF-8"
GZIP_FROM = 512  # bytes: smaller replies go as they are


def page(status: int, title: str, text: str, headers: dict | None = None) -> bottle.HTTPResponse:
    """transmission-daemon answers refusals with a small HTML page."""
    body = f"<html><head><title>{status}: {title}</title></head><body><h1>{status}: {title}</h1>{text}</body></html>"
    return bottle.HTTPResponse(body, status, {"Content-Type": "text/html; charset=ISO-8859-1", **(headers or {})})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RpcGuard:
    name, api = "utserver-transmission", 2

    def __init__(self, front: Front, guard: Guard):
        self.front, self.guard = front, guard

    def apply(self, callback, route):
        handshake = route.config.get("handshake", False)

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            env = bottle.request.environ
            refused = self._refusal(env) or (self._handshake(env) if handshake else None)
            if refused is not None:
                return refused
            try:
                return callback(*args, **kwargs)
            except bottle.HTTPResponse:
                raise
            except Exception:
                log.exception("%s %s failed", env.get("REQUEST_METHOD"), env.get("PATH_INFO"))
                return page(500, "Internal Server Error", "<p>See the utserver log.</p>")
        return guarded

    def _refusal(self, env: dict) -> bottle.HTTPResponse | None:
        remote = env.get("REMOTE_ADDR", "")  # never X-Forwarded-For: anyone can send that
        reason = self.guard.refusal({"REMOTE_ADDR": remote})
        if reason is not None:
            return page(403, "Forbidden", f"<p>{_escape(reason)}</p>")
        host = env.get("HTTP_HOST")
        if not self.guard.host_allowed(host):
            log.warning("refused %s: Host %r is not this machine", remote, host)
            return page(421, "Misdirected Request",
                        f"<p>Host {_escape(repr(host))} is not a name of this server; add it to the "
                        "webui.allowed_hosts setting to reach the server by that name.</p>")
        verdict = self.front.parts.auth.check(remote, env.get("HTTP_AUTHORIZATION"))
        if verdict.retry_after:
            return page(403, "Forbidden", "<p>Too many wrong passwords from your address; wait before trying "
                        "again.</p>", {"Retry-After": str(verdict.retry_after)})
        if verdict.user is None:
            return page(401, "Unauthorized", "<p>Unauthorized User</p>", CHALLENGE)
        env["utserver.user"] = verdict.user
        return None

    def _handshake(self, env: dict) -> bottle.HTTPResponse | None:
        session_id = self.front.session_id
        if session_id.matches(env.get("HTTP_X_TRANSMISSION_SESSION_ID")):
            return None
        current = session_id.current
        return page(409, "Conflict", "<p>Your request had an invalid session-id header.</p><p>To fix this, follow "
                    "these steps:<ol><li> When reading a response, get its X-Transmission-Session-Id header and "
                    "remember it<li> Add the updated header to your outgoing requests<li> When you get this 409 "
                    "error message, resend your request with the updated header</ol></p><p>This requirement has "
                    "been added to help prevent <a href=\"https://en.wikipedia.org/wiki/Cross-site_request_forgery"
                    f"\">CSRF</a> attacks.</p><p><code>{HEADER}: {current}</code></p>", {HEADER: current})


def mount(app: bottle.Bottle, parts: Parts, guard: Guard) -> None:
    front = Front(parts)
    plugins = [RpcGuard(front, guard)]
    routes = _Routes(front)
    moved = lambda *args, **kwargs: bottle.HTTPResponse(status=301, headers={"Location": WEB})  # noqa: E731
    table: tuple[tuple[str, Callable[..., object], dict[str, bool]], ...] = (
        ("/transmission/rpc", routes.rpc, {"handshake": True}),
        ("/transmission/rpc/", routes.rpc, {"handshake": True}),  # transmission-remote's path
        ("/transmission/rpc/<rest:path>", routes.rpc, {"handshake": True}),  # a prefix, as in Transmission
        ("/transmission/web/", routes.web, {}),
        ("/transmission/web/<path:path>", routes.web, {}),
        ("/transmission/web", moved, {}),
        ("/transmission/", moved, {}),
        ("/transmission", moved, {}),
        ("/transmission/<rest:path>", routes.not_found, {}),
    )
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
    for path, callback, config in table:
        app.route(path, methods, callback, apply=plugins, **config)


class _Routes:
    def __init__(self, front: Front):
        self.front = front

    def rpc(self, rest: str = ""):
        env = bottle.request.environ
        if env.get("REQUEST_METHOD") != "POST":
            return page(405, "Method Not Allowed", "<p>Send RPC requests with POST.</p>", {"Allow": "POST"})
        body = env["wsgi.input"].read(min(_length(env), MAX_BODY + 1))
        if len(body) > MAX_BODY:
            reply: dict | list | None = {"arguments": {}, "result": f"request larger than {MAX_BODY // (1024 * 1024)} MiB"}
        else:
            reply = handle(self.front, env["utserver.user"], body)
        if reply is None:  # JSON-RPC notifications only
            return bottle.HTTPResponse(status=204)
        data = json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": JSON_TYPE}
        if len(data) >= GZIP_FROM and "gzip" in env.get("HTTP_ACCEPT_ENCODING", ""):
            data, headers["Content-Encoding"] = gzip.compress(data, 5), "gzip"
        return bottle.HTTPResponse(data, 200, headers)

    def web(self, path: str = ""):
        env = bottle.request.environ
        if env.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return page(405, "Method Not Allowed", "", {"Allow": "GET"})
        settings = self.front.parts.settings
        if not settings.get("tr_webui_dir"):
            return page(404, "Not Found", "<p>Transmission's web UI is off: set tr_webui_dir in utserver.conf to "
                        "the folder holding its index.html (Debian: /usr/share/transmission/web).</p>")
        found = webfiles.find(settings.path("tr_webui_dir"), path)
        if found is None:
            return page(404, "Not Found", "")
        data, headers = found
        if "gzip" in env.get("HTTP_ACCEPT_ENCODING", "") and headers["Content-Type"].startswith(("text/", "application/")):
            data, headers = gzip.compress(data, 6), {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return bottle.HTTPResponse(data, 200, headers)

    def not_found(self, rest: str):
        return page(404, "Not Found", "")


def _length(env: dict) -> int:
    length = env.get("CONTENT_LENGTH") or ""
    return int(length) if length.isdigit() else MAX_BODY + 1


def handle(front: Front, user, body: bytes) -> dict | list | None:
    """One request -> its reply: Transmission's classic envelope ({"method", "arguments", "tag"}),
    or JSON-RPC 2.0 (an object with "jsonrpc", or a batch array); None when nothing is sent back."""
    run = lambda method, args: dispatch(method, Call(front, user, args))  # noqa: E731
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {"arguments": {}, "result": "no method name: the request body is not JSON"}
    if isinstance(request, list):
        replies = [jsonrpc.handle(item, run) for item in request] if request else [
            jsonrpc.error(jsonrpc.INVALID_REQUEST, "Invalid Request")]
        return [reply for reply in replies if reply is not None] or None
    if not isinstance(request, dict):
        return {"arguments": {}, "result": "no method name: the request is not a JSON object"}
    if "jsonrpc" in request:
        return jsonrpc.handle(request, run)
    tag = request.get("tag")
    echo = {"tag": tag} if isinstance(tag, int) and not isinstance(tag, bool) else {}
    method, args = request.get("method"), request.get("arguments", {})
    arguments: dict
    if not isinstance(method, str):
        result, arguments = "no method name", {}
    elif not isinstance(args, dict):
        result, arguments = "arguments must be a JSON object", {}
    else:
        result, arguments = run(method, args)
    return {"arguments": arguments, "result": result, **echo}
