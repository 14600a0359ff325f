"""Who is calling: HTTP Basic as admin or guest, localhost_authentication, and the brute-force brake.

Passwords are stored as PBKDF2 hashes (slow on purpose), so a successful check is remembered by
a digest of (name, password, stored hash): one lookup per request afterwards, and a password
change invalidates it by itself.
Wrong passwords are braked per client address (an IPv6 client's whole /64): after FREE_FAILURES
wrong tries in a row, the address must wait 1 s, then 2, 4 ... up to MAX_WAIT before its next try is
even checked; early tries get 429 at once, so an attacker neither ties up worker threads nor burns
PBKDF2 time, and the owner at any other address is never slowed down.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from utserver.settings.password import hash_password, verify_password
from utserver.web import access

FREE_FAILURES = 5
MAX_WAIT = 60.0
FORGET_AFTER = 3600.0
MAX_TRACKED = 4096  # addresses remembered by the brake
MAX_GOOD = 64  # remembered good credentials


class SettingsView(Protocol):
    def get(self, name: str) -> int | bool | str: ...


@dataclass(frozen=True)
class User:
    name: str
    admin: bool


class Verdict:
    """What the credentials check decided; exactly one of user / retry_after is set, or neither (401)."""

    def __init__(self, user: User | None = None, retry_after: int = 0):
        self.user, self.retry_after = user, retry_after


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        name, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return name, password


class Brake:
    """Per-address failure counts and the time before which that address is not heard."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._records: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (failures, not_before)

    key = staticmethod(access.client_key)

    def wait(self, remote: str) -> float:
        """Seconds this address must still wait before its credentials are checked."""
        with self._lock:
            record = self._records.get(self.key(remote))
            return max(0.0, record[1] - self._clock()) if record else 0.0

    def failed(self, remote: str) -> None:
        key, now = self.key(remote), self._clock()
        with self._lock:
            failures, _ = self._records.pop(key, (0, 0.0))
            failures += 1
            extra = failures - FREE_FAILURES
            not_before = now + min(2.0 ** (extra - 1), MAX_WAIT) if extra > 0 else now
            self._records[key] = (failures, not_before)
            self._prune(now)

    def succeeded(self, remote: str) -> None:
        with self._lock:
            self._records.pop(self.key(remote), None)

    def _prune(self, now: float) -> None:
        while self._records and (len(self._records) > MAX_TRACKED
                                 or next(iter(self._records.values()))[1] < now - FORGET_AFTER):
            self._records.popitem(last=False)


@functools.lru_cache(maxsize=1)
def _decoy() -> str:
    """A stored-form hash no password matches, checked for unknown names (same time as a miss)."""
    return hash_password(secrets.token_hex(16))


class Authenticator:
    def __init__(self, settings: SettingsView, brake: Brake | None = None):
        self._settings = settings
        self.brake = brake or Brake()
        self._good: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, remote: str, header: str | None) -> Verdict:
        if access.is_loopback(remote) and not self._settings.get("localhost_authentication"):
            return Verdict(User(str(self._settings.get("admin_name")), admin=True))
        credentials = basic_credentials(header)
        if credentials is None:
            return Verdict()
        wait = self.brake.wait(remote)
        if wait > 0:
            return Verdict(retry_after=int(wait) + 1)
        user = self._user(*credentials)
        if user is None:
            self.brake.failed(remote)
            return Verdict()
        self.brake.succeeded(remote)
        return Verdict(user)

    def _user(self, name: str, password: str) -> User | None:
        get = self._settings.get
        admin = str(get("admin_name"))
        if name == admin:
            return User(name, admin=True) if self._password_ok(name, password, str(get("admin_password"))) else None
        if name and get("webui.enable_guest") and name == get("webui.guest"):
            return User(name, admin=False)  # the guest account has no password (µTorrent)
        verify_password(password, _decoy())  # an unknown name costs what a wrong password costs
        return None

    def _password_ok(self, name: str, password: str, stored: str) -> bool:
        digest = hashlib.sha256("\0".join((name, password, stored)).encode()).digest()
        with self._lock:
            if digest in self._good:
                return True
        if not verify_password(password, stored):
            return False
        with self._lock:
            self._good[digest] = None
            while len(self._good) > MAX_GOOD:
                self._good.popitem(last=False)
        return True

    def login(self, remote: str, name: str, password: str) -> Verdict:
        """A password login form (qBittorrent's auth/login): the same accounts and the same brake."""
        wait = self.brake.wait(remote)
        if wait > 0:
            return Verdict(retry_after=int(wait) + 1)
        user = self._user(name, password)
        if user is None:
            self.brake.failed(remote)
            return Verdict()
        self.brake.succeeded(remote)
        return Verdict(user)
