"""What the server says it is: the build number every reply carries and getversion."""

from __future__ import annotations

from utserver import BUILD, __version__

MAJOR, MINOR = 3, 3
VERSION_DATE = "2026-11-24 00:00:00 +0000"
USER_AGENT = f"utserver/{__version__}"


def version_info(peer_id: str) -> dict:
    """getversion's "version" object (an object, not the manual's list: api-compat item 19)."""
    return {"product_code": "server", "major_version": MAJOR, "minor_version": MINOR,
            "engine_version": BUILD, "ui_version": BUILD, "version_date": VERSION_DATE,
            "user_agent": USER_AGENT, "peer_id": peer_id, "device_id": "linux"}
