"""The µTorrent Web API: HTTP server, auth, token, actions, listing, /proxy, web UI files."""

from utserver.web.server import WebServer

__all__ = ["WebServer"]
