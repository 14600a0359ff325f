"""The web part: the HTTP server, accounts and access rules every front shares, and the fronts."""

from utserver.web.server import WebServer

__all__ = ["WebServer"]
