"""The torrent engine: one libtorrent session, torrent jobs, queueing, resume, events."""

from utserver.engine.adding import AddError
from utserver.engine.engine import Engine, JobError
from utserver.engine.views import AddOptions, FileSource, FileView, PeerView, TorrentView

__all__ = ["Engine", "JobError", "AddError", "AddOptions", "FileSource", "FileView", "PeerView", "TorrentView"]
