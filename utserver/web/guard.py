"""Who may reach any front at all: the IP restriction list and the Host header rule.

Every front asks the same Guard; each words the refusal in its own error form.
"""

from __future__ import annotations

import functools
import logging

from utserver.web import access

log = logging.getLogger("utserver.web")


@functools.lru_cache(maxsize=8)
def _restrict(value: str) -> access.RestrictList:
    return access.RestrictList(value)


@functools.lru_cache(maxsize=8)
def _allowed_hosts(value: str) -> frozenset[str]:
    return frozenset(access.parse_allowed_hosts(value))


class Guard:
    def __init__(self, settings, host_names: set[str]):
        self.settings, self.host_names = settings, host_names

    def refusal(self, env: dict) -> str | None:
        """Why this request may not be served at all (a 403 in every front), or None."""
        remote = env.get("REMOTE_ADDR", "")  # never X-Forwarded-For: anyone can send that
        if not _restrict(str(self.settings.get("webui.restrict"))).allows(remote):
            log.warning("refused %s: not in webui.restrict", remote)
            return (f"Forbidden: {remote} is not in the webui.restrict list "
                    "(create wipl.utmr in dir_request to clear it)")
        host = env.get("HTTP_HOST")
        if not self.host_allowed(host):
            log.warning("refused %s: Host %r is not this machine", remote, host)
            return (f"Forbidden: Host {host!r} is not a name of this server; add it to the "
                    "webui.allowed_hosts setting to reach the server by that name")
        return None

    def host_allowed(self, host: str | None) -> bool:
        allowed = _allowed_hosts(str(self.settings.get("webui.allowed_hosts")))
        return access.host_allowed(host, self.host_names, allowed)
