"""The torrent engine: one libtorrent session, torrent jobs, queueing, resume, events.

This module is the facade: the web fronts, RSS and services import only from here.
"""

from utserver.engine.adding import AddError
from utserver.engine.engine import Engine
from utserver.engine.table import JobError
from utserver.engine.views import (
                                   FORCED,
                                   STOPPED,
                                   AddOptions,
                                   FileSource,
                                   FileView,
                                   PeerView,
                                   State,
                                   TorrentDetails,
                                   TorrentView,
                                   TrackerView,
)
from utserver.engine.views import QUEUED_MODE as QUEUED

__all__ = ["FORCED", "QUEUED", "STOPPED", "AddError", "AddOptions", "Engine", "FileSource", "FileView", "JobError",
           "PeerView", "State", "TorrentDetails", "TorrentView", "TrackerView"]
