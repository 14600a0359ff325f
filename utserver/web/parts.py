"""The long-lived things every API front reads and commands: one engine, one settings, one user store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from utserver.web.auth import Authenticator
from utserver.web.sessions import Sessions

MAX_BODY = 32 * 1024 * 1024  # the largest request body any front reads (.torrent uploads)


@dataclass
class Parts:
    engine: Any  # utserver.engine.Engine
    settings: Any  # utserver.settings.Settings
    auth: Authenticator  # the accounts (admin, guest) and the brute-force brake, for every front
    sessions: Sessions  # tokens and login sessions
    rss: Any = None  # utserver.rss.RssManager, when RSS runs
    portmap: Any = None  # its api_values() join getsettings as read-only entries
