"""The qBittorrent front: WebAPI v2 at /api/v2/ on the same engine, settings and accounts."""

from utserver.web.qbittorrent.routes import mount

__all__ = ["mount"]
