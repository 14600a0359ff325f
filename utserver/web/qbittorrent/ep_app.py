"""auth/* and app/*: login (qBittorrent ≤ 5.1's replies, which every studied client accepts),
the version claimed, build info, preferences, the API key, shutdown.

Version: v5.1.4 / WebAPI 2.11.4 (docs/reference/qbittorrent-clients.md §6): the newest contract
whose login ("Ok." + SID cookie) and add ("Ok."/"Fails.") replies every app accepts, with the 5.x
spellings (stopped*, stop/start) current apps expect.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading

import bottle

from utserver.web.qbittorrent import prefs
from utserver.web.qbittorrent.call import Call, QbtError
from utserver.web.qbittorrent.table import Endpoint, act, read

APP_VERSION = "v5.1.4"
WEBAPI_VERSION = "2.11.4"
BANNED = "Your IP address has been banned after too many failed authentication attempts."


def _reply(text: str, headers: dict | None = None) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(text, 200, {"Content-Type": "text/plain; charset=UTF-8", **(headers or {})})


def login(call: Call):
    if call.session is not None:
        return _reply("Ok.")  # a valid session cookie: credentials not even checked (qBittorrent)
    verdict = call.parts.auth.login(call.remote, call.get("username", ""), call.get("password", ""))
    if verdict.retry_after:
        raise QbtError(403, BANNED)
    if verdict.user is None:
        return _reply("Fails.")
    session = call.front.sids.new(verdict.user)
    return _reply("Ok.", {"Set-Cookie": f"SID={session.sid}; HttpOnly; path=/; SameSite=Strict"})


def logout(call: Call):
    if call.session is not None and call.session.sid:
        call.front.sids.end(call.session.sid)
    return _reply("", {"Set-Cookie": "SID=; HttpOnly; path=/; SameSite=Strict; Max-Age=0"})


def build_info(call: Call) -> dict:
    libtorrent = sys.modules.get("libtorrent")  # already loaded by the engine; the version only
    return {"qt": "", "libtorrent": str(getattr(libtorrent, "__version__", "")), "boost": "", "openssl": "",
            "zlib": "", "bitness": 64 if sys.maxsize > 2 ** 32 else 32, "platform": sys.platform}


def preferences(call: Call) -> dict:
    return prefs.preferences(call.parts.settings, call.front.store.alt_limits)


def set_preferences(call: Call) -> None:
    try:
        changes = json.loads(call.need("json")[0])
    except ValueError:
        raise QbtError(400, "json: not a JSON object") from None
    if not isinstance(changes, dict):
        raise QbtError(400, "json: not a JSON object")
    _alternative_limits(call, changes)
    try:
        pairs = prefs.setting_pairs(call.parts.settings, changes)
    except (KeyError, TypeError, ValueError) as exc:
        raise QbtError(400, f"bad preference value: {exc}") from None
    if pairs:
        call.parts.settings.set_from_api(pairs)  # ValueError (all or nothing) -> 400


def _alternative_limits(call: Call, changes: dict) -> None:
    alt = call.front.store.alt_limits
    for key, slot in (("alt_dl_limit", "dl"), ("alt_up_limit", "up")):
        if key in changes:
            try:
                alt[slot] = max(int(changes[key]), 0)
            except (TypeError, ValueError):
                raise QbtError(400, f"{key}: not a number") from None
    if "alt_dl_limit" in changes or "alt_up_limit" in changes:
        call.front.store.save()


def default_save_path(call: Call) -> str:
    return str(call.parts.settings.path("dir_active"))


def shutdown(call: Call) -> None:
    # The daemon's own stop path (SIGTERM), a moment later, so this reply still goes out.
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()


def rotate_api_key(call: Call) -> dict:
    return {"apiKey": call.front.store.rotate_api_key()}


def delete_api_key(call: Call) -> None:
    call.front.store.delete_api_key()


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("auth", "login", login, post=True, public=True),
    Endpoint("auth", "logout", logout, post=True),
    read("app", "version", lambda call: APP_VERSION),
    read("app", "webapiVersion", lambda call: WEBAPI_VERSION),
    read("app", "buildInfo", build_info),
    read("app", "preferences", preferences),
    act("app", "setPreferences", set_preferences),
    read("app", "defaultSavePath", default_save_path),
    act("app", "shutdown", shutdown),
    act("app", "rotateAPIKey", rotate_api_key),
    act("app", "deleteAPIKey", delete_api_key),
    # VueTorrent's settings pages: utserver binds by address (bind_ip), keeps no download cookies
    read("app", "networkInterfaceList", lambda call: []),
    read("app", "networkInterfaceAddressList", lambda call: []),
    read("app", "cookies", lambda call: []),
)
