"""The qBittorrent front: /api/v2/<scope>/<action>, one route, policy here, behaviour in tables.

Order of checks, as qBittorrent answers (docs/reference/qbittorrent-clients.md §1):
the shared Guard (IP list, Host rule: 403), the method (405), the endpoint (404), POST-only
actions (405), the cross-site check (401; API-key calls skip it), the caller (SID cookie, API key, HTTP Basic or localhost bypass; else 403), the
guest account (read-only: 403), then the handler.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.parse
from dataclasses import dataclass, field

import bottle

from utserver.engine import AddError, JobError
from utserver.web.auth import User
from utserver.web.guard import Guard
from utserver.web.parts import MAX_BODY, Parts
from utserver.web.qbittorrent import ep_actions, ep_app, ep_labels, ep_misc, ep_torrents
from utserver.web.qbittorrent.call import Call, QbtError, parse_params
from utserver.web.qbittorrent.ep_app import BANNED
from utserver.web.qbittorrent.fields import RowCache
from utserver.web.qbittorrent.sid import QbtSession, SidStore, sid_from_cookie
from utserver.web.qbittorrent.store import FrontStore
from utserver.web.qbittorrent.sync import DigestCache, RawJson

log = logging.getLogger("utserver.web")

ENDPOINTS = {(e.scope, e.action): e for module in (ep_app, ep_labels, ep_misc, ep_torrents, ep_actions)
             for e in module.ENDPOINTS}


@dataclass
class Front:
    """What this front keeps beside the shared parts."""

    store: FrontStore
    sids: SidStore
    rows: RowCache = field(default_factory=RowCache)
    digests: DigestCache = field(default_factory=DigestCache)


def plain(status: int, text: str, headers: dict | None = None) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(text, status, {"Content-Type": "text/plain; charset=UTF-8", **(headers or {})})


def encode(result) -> bottle.HTTPResponse:
    if result is None:
        return plain(200, "")
    if isinstance(result, bottle.HTTPResponse):
        return result
    if isinstance(result, str):
        return plain(200, result)
    if isinstance(result, dict) and any(isinstance(value, RawJson) for value in result.values()):
        body = "{" + ",".join(f"{_dump(key)}:{value if isinstance(value, RawJson) else _dump(value)}"
                              for key, value in result.items()) + "}"
    else:
        body = _dump(result)
    return bottle.HTTPResponse(body.encode(), 200, {"Content-Type": "application/json"})


def _dump(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class ErrorPlugin:
    """Every failure in qBittorrent's form: the status and a plain-text body; never a bare 500 page."""

    name, api = "qbt-errors", 2

    def apply(self, callback, route):
        @functools.wraps(callback)
        def wrapped(*args, **kwargs):
            env = bottle.request.environ
            try:
                return callback(*args, **kwargs)
            except QbtError as exc:
                return plain(exc.status, str(exc))
            except JobError as exc:
                return plain(404, str(exc) or "Not Found")
            except (AddError, ValueError) as exc:
                return plain(400, str(exc) or "Bad Request")
            except bottle.HTTPResponse:
                raise
            except Exception:
                log.exception("%s %s failed", env.get("REQUEST_METHOD"), env.get("PATH_INFO"))
                return plain(500, "internal error; see the utserver log")
        return wrapped


def mount(app: bottle.Bottle, parts: Parts, guard: Guard) -> None:
    front = Front(FrontStore(parts.settings.settings_path), SidStore())
    api = _Api(parts, guard, front)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
    plugins = [ErrorPlugin()]
    app.route("/api/v2/<scope>/<action>", methods, api.handle, apply=plugins)
    app.route("/api/v2/<path:path>", methods, api.unknown, apply=plugins)


class _Api:
    def __init__(self, parts: Parts, guard: Guard, front: Front):
        self.parts, self.guard, self.front = parts, guard, front

    def unknown(self, path: str):
        refused = self.guard.refusal(bottle.request.environ)
        return plain(403, refused) if refused else plain(404, "Not Found")

    def handle(self, scope: str, action: str):
        env = bottle.request.environ
        refused = self.guard.refusal(env)
        if refused is not None:
            return plain(403, refused)
        method = env.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST"):
            raise QbtError(405)
        endpoint = ENDPOINTS.get((scope, action))
        if endpoint is None:
            raise QbtError(404, "Endpoint does not exist")
        if endpoint.post and method != "POST":
            raise QbtError(405)
        if cross_site(env) and not _bearer(env):
            log.warning("refused %s %s: Origin/Referer is not this server", method, env.get("PATH_INFO"))
            raise QbtError(401)
        session = self._caller(env, scope, endpoint.public)
        user = session.user if session else None
        if endpoint.admin and not (user and user.admin):
            raise QbtError(403)
        params, files = parse_params(method, env.get("QUERY_STRING", ""), env.get("CONTENT_TYPE", ""),
                                     _read_body(env) if method == "POST" else b"")
        call = Call(self.parts, self.front, user or User("", admin=False), session, params, files,
                    env.get("REMOTE_ADDR", ""))
        response = encode(endpoint.handler(call))
        if session is not None and session.sid and env.get("qbt.new_sid"):
            response.set_header("Set-Cookie", cookie(session.sid))
        return response

    def _caller(self, env: dict, scope: str, public: bool) -> QbtSession | None:
        """The caller's session, or None for auth/login; 403 when nobody is logged in."""
        remote = env.get("REMOTE_ADDR", "")
        session = self.front.sids.find(sid_from_cookie(env.get("HTTP_COOKIE")))
        if session is not None or public:
            return session
        header = env.get("HTTP_AUTHORIZATION") or ""
        if _bearer(env):
            if scope == "auth" or not self.front.store.key_matches(header[7:].strip()):
                raise QbtError(403)
            return self.front.sids.for_key(User(str(self.parts.settings.get("admin_name")), admin=True))
        verdict = self.parts.auth.check(remote, header or None)
        if verdict.retry_after:
            raise QbtError(403, BANNED)
        if verdict.user is None:
            raise QbtError(403)
        env["qbt.new_sid"] = True  # as qBittorrent's bypass: a session made silently, its cookie set
        return self.front.sids.new(verdict.user)


def cross_site(env: dict) -> bool:
    """qBittorrent's CSRF rule: an Origin (else a Referer) that names another host:port than the
    request's Host. A browser attaches the SID cookie and cached HTTP Basic credentials to a forged
    cross-site POST, but also its Origin; apps (Sonarr, HA...) send neither header and pass."""
    source = env.get("HTTP_ORIGIN") or env.get("HTTP_REFERER")
    if not source:
        return False
    return urllib.parse.urlsplit(source).netloc.lower() != env.get("HTTP_HOST", "").lower()


def _bearer(env: dict) -> bool:
    return (env.get("HTTP_AUTHORIZATION") or "")[:7].lower() == "bearer "


def cookie(sid: str) -> str:
    return f"SID={sid}; HttpOnly; path=/; SameSite=Strict"


def _read_body(env: dict) -> bytes:
    length = env.get("CONTENT_LENGTH") or ""
    wanted = int(length) if length.isdigit() else MAX_BODY + 1
    data = env["wsgi.input"].read(min(wanted, MAX_BODY + 1))
    if len(data) > MAX_BODY:
        raise QbtError(400, f"request body larger than {MAX_BODY // (1024 * 1024)} MiB")
    return data
