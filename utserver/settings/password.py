"""Web UI password at rest: PBKDF2-SHA256, never the plain text once stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCHEME = "pbkdf2_sha256"
# A balance between brute-force cost and a router's CPU: the web part caches
# successful checks, so this runs once per credential, not per request.
_ITERATIONS = 60_000


def hash_password(plain: str) -> str:
    """The stored form of *plain*; a blank password stays blank (µTorrent's default account)."""
    if plain == "" or is_hashed(plain):
        return plain
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", plain.encode(), bytes.fromhex(salt), _ITERATIONS)
    return f"{_SCHEME}${_ITERATIONS}${salt}${digest.hex()}"


def is_hashed(stored: str) -> bool:
    return stored.startswith(_SCHEME + "$")


def verify_password(plain: str, stored: str) -> bool:
    if not is_hashed(stored):
        return hmac.compare_digest(plain.encode(), stored.encode())
    _, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac("sha256", plain.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)
