"""A bare qBittorrent WebAPI v2 caller for the tests: raw HTTP, the SID cookie kept by hand."""

from __future__ import annotations

import importlib.util
import json
import re
import urllib.parse

import pytest

from tests.api.support import Response, raw
from tests.support.daemon import ADMIN, Daemon

# qbittorrent-api is on PyPI only (Debian 12 does not package it): those tests skip there alone.
needs_qbittorrent_api = pytest.mark.skipif(importlib.util.find_spec("qbittorrentapi") is None,
                                           reason="qbittorrent-api is not installed (Debian 12 lacks it)")


class QbtFailed(AssertionError):
    pass


def form(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """multipart/form-data as qBittorrent clients send it: text fields, then file parts."""
    boundary = "----qbtTestBoundary4xT9"
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for field, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/x-bittorrent\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Qbt:
    def __init__(self, daemon: Daemon, sid: str | None = None):
        self.daemon, self.sid = daemon, sid

    def request(self, path: str, params: dict | None = None, *, method: str = "POST",
                files: list[tuple[str, str, bytes]] | None = None, headers: dict | None = None,
                **kw) -> Response:
        url = "/api/v2/" + path
        all_headers = {"Cookie": f"SID={self.sid}"} if self.sid else {}
        all_headers.update(headers or {})
        body = None
        if method == "GET":
            url += "?" + urllib.parse.urlencode(params or {}) if params else ""
        elif files:
            body, all_headers["Content-Type"] = form(params or {}, files)
        else:
            body = urllib.parse.urlencode(params or {}).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        return raw(self.daemon, url, auth=None, headers=all_headers, method=method, body=body, **kw)

    def login(self, user: tuple[str, str] = ADMIN, **kw) -> Response:
        resp = self.request("auth/login", {"username": user[0], "password": user[1]}, **kw)
        match = re.search(r"\bSID=([^;]+)", resp.headers.get("Set-Cookie") or "")
        if match:
            self.sid = match.group(1)
        return resp

    def ok(self, path: str, params: dict | None = None, **kw):
        """The reply of a call that must succeed: JSON decoded, else the text."""
        resp = self.request(path, params, **kw)
        if resp.status != 200:
            raise QbtFailed(f"{path}: HTTP {resp.status}: {resp.body[:300]!r}")
        if (resp.headers.get("Content-Type") or "").startswith("application/json"):
            return json.loads(resp.body)
        return resp.body.decode()

    def get(self, path: str, **params):
        return self.ok(path, params, method="GET")

    def post(self, path: str, files: list | None = None, **params):
        return self.ok(path, params, files=files)


def logged_in(daemon: Daemon, user: tuple[str, str] = ADMIN) -> Qbt:
    client = Qbt(daemon)
    resp = client.login(user)
    assert (resp.status, resp.body) == (200, b"Ok."), resp.body
    return client
