"""Who may reach any front at all: the IP restriction list and the Host header rule.

Every front asks the same Guard; each words the refusal in its own error form.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

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

    def cross_site(self, env: dict) -> str | None:
        """Why a state-changing request is refused as cross-site (CSRF), or None.

        A browser names the page that sent a request in Origin (else Referer). It must be this
        server as the request addressed it (the Host header), or a name the Host rule allows by
        name: this machine's names, localhost, webui.allowed_hosts. An IP literal counts only as the
        Host itself, since any site can be reached by one. "*" in allowed_hosts turns this off too."""
        source = env.get("HTTP_ORIGIN") or env.get("HTTP_REFERER")
        if source is None:
            return None  # not a browser, or a browser sending neither: the token is the defence
        name = _url_host(source)
        host = access.host_name(env.get("HTTP_HOST") or "")
        allowed = _allowed_hosts(str(self.settings.get("webui.allowed_hosts")))
        if name and (name == host or "*" in allowed or (access.host_allowed(name, self.host_names, allowed)
                                                        and not _is_address(name))):
            return None
        log.warning("refused %s: request from the page %r, not from this server", env.get("REMOTE_ADDR", ""),
                    source[:200])
        return (f"Forbidden: a request from the page {source[:200]!r}, not from this server; add its host "
                "to the webui.allowed_hosts setting if it is yours")

    def host_allowed(self, host: str | None) -> bool:
        allowed = _allowed_hosts(str(self.settings.get("webui.allowed_hosts")))
        return access.host_allowed(host, self.host_names, allowed)


def _url_host(url: str) -> str:
    """The host of an Origin or Referer ("null" and garbage give "")."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _is_address(name: str) -> bool:
    try:
        access.parse_address(name)
    except ValueError:
        return False
    return True
