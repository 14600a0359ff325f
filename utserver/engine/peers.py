"""libtorrent peer_info -> PeerView, with µTorrent's peer flag letters."""

from __future__ import annotations

import libtorrent as lt

from utserver.engine.views import PeerView

P = lt.peer_info
_UTP = 1 << 17  # peer_info has no named constant for a uTP socket (docs/reference/libtorrent.md#versions)


def _flags(p) -> str:
    f, src = p.flags, p.source
    letters = [
        # libtorrent: `choked` is "we choke the peer", `remote_choked` is "the peer chokes us".
        # µTorrent: D/d we download (the peer unchokes / chokes us), U/u we upload (we unchoke / choke it).
        ("D", f & P.interesting and not f & P.remote_choked), ("d", f & P.interesting and f & P.remote_choked),
        ("U", f & P.remote_interested and not f & P.choked),
        ("u", f & P.remote_interested and f & P.choked),
        ("O", f & P.optimistic_unchoke), ("S", f & P.snubbed), ("I", not f & P.local_connection),
        ("E", f & P.rc4_encrypted), ("e", f & P.plaintext_encrypted), ("P", f & _UTP),
        ("X", src & P.pex), ("H", src & P.dht), ("L", src & P.lsd),
    ]
    return "".join(letter for letter, present in letters if present)


def peer_view(p) -> PeerView:
    return PeerView(
        ip=p.ip[0], port=p.ip[1], client=p.client if isinstance(p.client, str) else p.client.decode(errors="replace"),
        flags=_flags(p), progress=int(p.progress * 1000), down_rate=p.down_speed, up_rate=p.up_speed,
        downloaded=p.total_download, uploaded=p.total_upload, utp=bool(p.flags & _UTP),
        reqs_out=p.download_queue_length, reqs_in=p.upload_queue_length, hash_errors=p.num_hashfails,
    )
