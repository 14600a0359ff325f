"""Which network interface the daemon speaks for: preferred_interface, else the default route's.

The manual: preferred_interface names the interface searched first for the external IP and the
hardware address, and used for port mapping; empty means the interface of the default route.
A name that does not exist is reported (the caller logs it) and the default is used instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import netifaces


@dataclass(frozen=True)
class Interface:
    name: str
    ipv4: str
    mac: str  # "" when the interface has no link-layer address (e.g. a tun device)


@dataclass(frozen=True)
class Choice:
    """The interface picked, and why the preferred one was not used (empty when it was)."""
    interface: Interface | None
    problem: str = ""


def describe(name: str) -> Interface | None:
    """The interface's first IPv4 address and hardware address, or None without IPv4."""
    try:
        addrs = netifaces.ifaddresses(name)
    except ValueError:  # no such interface
        return None
    ipv4 = addrs.get(netifaces.AF_INET, [])
    if not ipv4 or not ipv4[0].get("addr"):
        return None
    mac = addrs.get(netifaces.AF_LINK, [{}])[0].get("addr", "")
    return Interface(name, ipv4[0]["addr"], mac)


def default_route() -> tuple[str, str] | None:
    """(gateway address, interface name) of the IPv4 default route, if there is one."""
    gateway = netifaces.gateways().get("default", {}).get(netifaces.AF_INET)
    return (gateway[0], gateway[1]) if gateway else None


def _fallback() -> Interface | None:
    """The default route's interface; without one, the first non-loopback IPv4 interface."""
    route = default_route()
    candidates = ([route[1]] if route else []) + netifaces.interfaces()
    for name in candidates:
        found = describe(name)
        if found and not found.ipv4.startswith("127."):
            return found
    return None


def choose(preferred: str) -> Choice:
    """Resolve the preferred_interface setting; never raises for a bad name."""
    if not preferred:
        found = _fallback()
        return Choice(found, "" if found else "no network interface with an IPv4 address yet")
    if preferred not in netifaces.interfaces():
        problem = f"preferred_interface {preferred!r} does not exist"
    else:
        found = describe(preferred)
        if found:
            return Choice(found)
        problem = f"preferred_interface {preferred!r} has no IPv4 address"
    fallback = _fallback()
    where = f"using {fallback.name} ({fallback.ipv4})" if fallback else "no usable interface"
    return Choice(fallback, f"{problem}; {where} (set preferred_interface in utserver.conf)")


def gateway_of(interface: Interface | None) -> str:
    """The default gateway's address when it lies behind `interface` (NAT-PMP asks it)."""
    route = default_route()
    return route[0] if route and interface and route[1] == interface.name else ""
