"""Port mapping: UPnP (miniupnpc, or libtorrent's own when the binding is missing) and
NAT-PMP/PCP (libtorrent), on the interface named by preferred_interface. See docs/portmap.md."""
from utserver.services.portmap.service import PortMapService, default_upnp_backend

__all__ = ["PortMapService", "default_upnp_backend"]
