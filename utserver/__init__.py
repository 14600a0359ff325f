"""utserver: µTorrent Server re-made in Python on libtorrent."""

__version__ = "0.1.0"

# µTorrent API clients reject builds below 25406 (docs/reference/utorrent-clients.md#build-and-json).
BUILD = 46000
