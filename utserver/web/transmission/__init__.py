"""The Transmission front: /transmission/rpc (the RPC every Transmission app speaks) and
Transmission's own web UI at /transmission/web/ (docs/transmission.md)."""

from utserver.web.transmission.routes import mount

__all__ = ["mount"]
