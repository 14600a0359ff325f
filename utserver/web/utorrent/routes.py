"""The µTorrent front's routes. Few routes; policy in two plugins, behaviour in tables.

GuardPlugin (every route here): the shared Guard (IP list, Host rule), then HTTP Basic.
TokenPlugin (routes with token=True): a request that acts (action= or list=) carries a live token
of the calling account; an action sent from a foreign page (Origin/Referer) is refused (Guard).
Refusals name the setting that would allow the request (style: "refusals say how to fix them").
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable

import bottle

from utserver import BUILD
from utserver.web import access, proxy
from utserver.web.alternative import AlternativeUi
from utserver.web.guard import Guard
from utserver.web.parts import MAX_BODY, Parts
from utserver.web.static import WebUiFiles, body_for
from utserver.web.utorrent import actions
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError, Kind
from utserver.web.utorrent.listing import JsonRows, Listing
from utserver.web.utorrent.query import Query
from utserver.web.utorrent.rows import label_rows

log = logging.getLogger("utserver.web")

CHALLENGE = {"WWW-Authenticate": 'Basic realm="uTorrent"'}  # exact: docs/reference/utorrent-clients.md#credentials
NO_CACHE = {"Cache-Control": "no-cache"}


def plain(status: int, text: str, headers: dict | None = None) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(text, status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


def encode(reply: Reply) -> bytes:
    """Compact JSON (docs/reference/utorrent-clients.md#build-and-json); a list of pairs so a key may repeat (getfiles)."""
    dump = functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=False)
    out = [b"{"]
    for index, (key, value) in enumerate(reply):
        out.append((("," if index else "") + dump(key) + ":").encode())
        if isinstance(value, JsonRows):  # 100,000 rows: 23 MB, copied twice, not five times
            out += (b"[", b",".join(value), b"]")
        else:
            out.append(dump(value).encode())
    out.append(b"}")
    return b"".join(out)


def json_response(reply: Reply) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(encode(reply), 200, {"Content-Type": "application/json; charset=utf-8", **NO_CACHE})


def refusal(exc: ApiError) -> bottle.HTTPResponse:
    if exc.kind is Kind.BAD_REQUEST:
        log.info("400 invalid request: %s", exc)
        return plain(400, "invalid request")  # exact body: docs/reference/utorrent-clients.md#bad-token
    retry = {"Retry-After": "5"} if exc.kind is Kind.UNAVAILABLE else {}
    return plain(exc.kind.value, str(exc), retry)


class GuardPlugin:
    name, api = "utserver-guard", 2

    def __init__(self, parts: Parts, guard: Guard):
        self.auth, self.guard = parts.auth, guard
        self.alternative = AlternativeUi(parts.settings)

    def apply(self, callback, route):
        alternative = route.config.get("alternative", False)

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            env = bottle.request.environ
            remote = env.get("REMOTE_ADDR", "")  # never X-Forwarded-For: anyone can send that
            # "/" and unknown paths: the alternative web UI's public files, when one is enabled
            served = self.alternative.serve(env) if alternative and self.guard.refusal(env) is None else None
            if served is not None:
                return served
            refused = self._refusal(env, remote)
            if refused is not None:
                return refused
            try:
                return callback(*args, **kwargs)
            except ApiError as exc:
                return refusal(exc)
            except bottle.HTTPResponse:
                raise
            except Exception:
                log.exception("%s %s failed", env.get("REQUEST_METHOD"), env.get("PATH_INFO"))
                return plain(500, "internal error; see the utserver log")
        return guarded

    def _refusal(self, env: dict, remote: str) -> bottle.HTTPResponse | None:
        refused = self.guard.refusal(env)
        if refused is not None:
            return plain(403, refused)
        verdict = self.auth.check(remote, env.get("HTTP_AUTHORIZATION"))
        if verdict.retry_after:
            return plain(429, "Too many wrong passwords from your address; wait before trying again",
                         {"Retry-After": str(verdict.retry_after)})
        if verdict.user is None:
            return plain(401, "Unauthorized", CHALLENGE)
        env["utserver.user"] = verdict.user
        return None


class TokenPlugin:
    """A request that acts must carry a live token: a forged cross-site request cannot read one."""

    name, api = "utserver-token", 2

    def __init__(self, settings, sessions, guard: Guard):
        self.settings, self.sessions, self.guard = settings, sessions, guard

    def apply(self, callback, route):
        if not route.config.get("token", False):
            return callback

        @functools.wraps(callback)
        def checked(*args, **kwargs):
            env = bottle.request.environ
            query = env["utserver.query"] = Query(env.get("QUERY_STRING", ""))
            acts = query.has("action") or query.has("list") or query.has("token")
            if acts and query.has("action"):
                refused = self.guard.cross_site(env)
                if refused is not None:
                    return plain(403, refused)
            if acts and self._required(env.get("REMOTE_ADDR", "")) and not self._token_ok(env, query):
                return refusal(ApiError("missing or expired token", Kind.BAD_REQUEST))
            return callback(*args, **kwargs)
        return checked

    def _token_ok(self, env: dict, query: Query) -> bool:
        """The token was fetched by this account (and, when a GUID cookie comes, by this session)."""
        return self.sessions.token_valid(query.get("token"), env["utserver.user"].name,
                                         bottle.request.get_cookie("GUID"))

    def _required(self, remote: str) -> bool:
        if not self.settings.get("token_auth_enable"):
            return False
        return self.settings.get("token_auth_filter") != "remote" or not access.is_loopback(remote)


def mount(app: bottle.Bottle, parts: Parts, guard: Guard) -> None:
    """The µTorrent routes, each behind this front's guard (Basic auth) and token check."""
    plugins = [GuardPlugin(parts, guard), TokenPlugin(parts.settings, parts.sessions, guard)]
    routes = _Routes(parts)
    table: tuple[tuple[str, list[str], Callable[..., object], dict[str, bool]], ...] = (
        ("/gui/token.html", ["GET"], routes.token_page, {}),
        ("/gui/", ["GET", "POST"], routes.gui, {"token": True}),
        ("/gui/<path:path>", ["GET"], routes.static, {}),
        ("/gui", ["GET"], lambda: bottle.redirect("/gui/"), {}),
        ("/", ["GET"], lambda: bottle.redirect("/gui/"), {"alternative": True}),
        ("/proxy", ["GET"], routes.proxy, {}),
        ("/<path:path>", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"], routes.not_found, {"alternative": True}),
    )
    for path, methods, callback, config in table:
        app.route(path, methods, callback, apply=plugins, **config)


class _Routes:
    def __init__(self, parts: Parts):
        self.parts = parts
        self.listing = Listing()
        self._files: dict = {}  # folder -> WebUiFiles: ut_webui_dir follows conf reloads

    def token_page(self):
        request, env = bottle.request, bottle.request.environ
        session = self.parts.sessions.session_for(
            request.get_cookie("GUID"), env["utserver.user"].name, env.get("REMOTE_ADDR", ""),
            env.get("utserver.sock_ip", ""), env.get("HTTP_USER_AGENT", ""))
        token = self.parts.sessions.new_token(session)
        body = f"<html><div id='token' style='display:none;'>{token}</div></html>"  # exact: docs/reference/utorrent-clients.md#token-page
        return bottle.HTTPResponse(body, 200, {"Content-Type": "text/html", "Set-Cookie": f"GUID={session.guid}; path=/",
                                               **NO_CACHE})

    def gui(self):
        query: Query = bottle.request.environ["utserver.query"]
        if not (query.has("action") or query.has("list")):
            return json_response([("build", BUILD)]) if query.has("token") else self.static("index.html")
        call = self._call(query)
        reply: Reply = [("build", BUILD)]
        if query.has("action"):
            reply += actions.dispatch(query.get("action") or "", call)
        if query.has("list"):
            reply += self._list(query)
        return json_response(reply)

    def _list(self, query: Query) -> Reply:
        engine, rss = self.parts.engine, self.parts.rss
        feeds, filters = (rss.feed_rows(), rss.filter_rows()) if rss is not None else ({}, {})
        return [("label", label_rows(engine.labels())),
                *self.listing.reply(engine.snapshot(), feeds, filters, query.get("cid"))]

    def _call(self, query: Query) -> Call:
        request, env = bottle.request, bottle.request.environ
        return Call(self.parts, query, env["utserver.user"], self.parts.sessions.touch(request.get_cookie("GUID")),
                    env.get("REMOTE_ADDR", ""), functools.partial(_read_body, env), env.get("CONTENT_TYPE", ""))

    def static(self, path: str):
        folder = self.parts.settings.path("ut_webui_dir")
        files = self._files.get(folder) or self._files.setdefault(folder, WebUiFiles(folder))
        found = files.find(path)
        if found is None:
            return plain(404, "Not found")
        accepts = "gzip" in bottle.request.environ.get("HTTP_ACCEPT_ENCODING", "")
        data, headers = body_for(found, accepts)
        return bottle.HTTPResponse(data, 200, headers)

    def proxy(self):
        query = Query(bottle.request.environ.get("QUERY_STRING", ""))
        info_hash = (query.first("id", "sid") or "").strip().upper()
        view = self.parts.engine.snapshot().get(info_hash)
        if view is None:
            return plain(404 if info_hash else 400, "no torrent with that id=" if info_hash else "missing id=")
        try:
            source = self.parts.engine.file_source(info_hash, query.int("file", 0))
        except (*actions.FAILURES, IndexError) as exc:
            return plain(404, f"no such file: {exc}")
        status, headers, body = proxy.respond(source, view.save_path, bottle.request.environ.get("HTTP_RANGE"),
                                              query.get("disposition"))
        return bottle.HTTPResponse(body, status, headers)

    def not_found(self, path: str):
        return plain(404, "Not found")


def _read_body(env: dict) -> bytes:
    """The body, at most MAX_BODY; a body that stops short of its Content-Length is a bad request."""
    length = env.get("CONTENT_LENGTH") or ""
    wanted = int(length) if length.isdigit() and len(length) <= 12 else MAX_BODY + 1
    try:
        data = env["wsgi.input"].read(min(wanted, MAX_BODY + 1))
    except OSError as exc:  # the socket's read timeout (gate.BODY_READ_TIMEOUT) or a reset
        raise ApiError(f"request body incomplete: {exc}", Kind.BAD_REQUEST) from None
    if len(data) > MAX_BODY:
        raise ApiError(f"upload larger than {MAX_BODY // (1024 * 1024)} MiB")
    if length.isdigit() and len(data) < wanted:
        raise ApiError(f"request body shorter than its Content-Length ({len(data)} < {wanted})", Kind.BAD_REQUEST)
    return data
