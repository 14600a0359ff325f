"""The µTorrent front: /gui/ (token, action table, list rows with cid deltas), /proxy, the web UI."""

from utserver.web.utorrent.routes import mount

__all__ = ["mount"]
