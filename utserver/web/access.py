"""Who may talk to the web server at all: the IP restriction list and the Host header rule.

webui.restrict: comma-separated entries, each an address (192.168.1.7), a network
(192.168.1.0/24), a range (10.0.0.1-10.0.0.50) or an octet wildcard (192.168.1.*);
empty lets every address in.
Host header (DNS-rebinding defence): a browser tricked into calling us through an attacker's
domain sends that domain as Host; we answer only to IP literals, localhost, this machine's
names and the names in webui.allowed_hosts ("*" turns the check off).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Set as AbstractSet
from pathlib import Path

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address:
    """An address as the socket reports it; IPv4-mapped IPv6 (dual-stack sockets) becomes IPv4."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_loopback(text: str) -> bool:
    try:
        return parse_address(text).is_loopback
    except ValueError:
        return False


def client_key(remote: str) -> str:
    """One client for limits and brakes: its IPv4 address, or an IPv6 client's whole /64."""
    try:
        address = parse_address(remote)
    except ValueError:
        return remote
    return str(address) if address.version == 4 else str(address.exploded[:19])


def _entry(text: str) -> tuple[Address, Address]:
    """One webui.restrict entry as an inclusive (first, last) pair; ValueError if malformed."""
    if "*" in text:
        text = text.replace("*", "0") + "/" + str(8 * text.split(".").index("*"))
    if "-" in text:
        first, last = (parse_address(part.strip()) for part in text.split("-", 1))
        if first.version != last.version or int(first) > int(last):
            raise ValueError(f"{text!r} is not a range (first-last)")
        return first, last
    network = ipaddress.ip_network(text, strict=False)
    return network[0], network[-1]


def parse_restrict(value: str) -> list[tuple[Address, Address]]:
    """ValueError names the bad entry (setsetting refuses it; nothing changes)."""
    ranges = []
    for text in (part.strip() for part in value.replace(";", ",").split(",")):
        if not text:
            continue
        try:
            ranges.append(_entry(text))
        except ValueError:
            raise ValueError(f"webui.restrict: {text!r} is not an IP address, network, range or "
                             "wildcard such as 192.168.1.*") from None
    return ranges


class RestrictList:
    def __init__(self, value: str):
        try:
            self.ranges: list[tuple[Address, Address]] | None = parse_restrict(value)
        except ValueError:
            self.ranges = None  # a hand-edited, unreadable list lets nobody in (wipl.utmr clears it)

    def allows(self, remote: str) -> bool:
        if self.ranges == []:
            return True
        try:
            address = parse_address(remote)
        except ValueError:
            return False
        return any(first.version == address.version and int(first) <= int(address) <= int(last)
                   for first, last in self.ranges or ())


def machine_names() -> set[str]:
    """This host's names: the hostname, its mDNS name and its names under the resolver's domains."""
    host = socket.gethostname().lower().rstrip(".")
    short = host.split(".")[0]
    names = {host, short, short + ".local"}
    for domain in _resolver_domains():
        names.add(f"{short}.{domain}")
    return names


def _resolver_domains() -> list[str]:
    try:
        lines = Path("/etc/resolv.conf").read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [word.lower().rstrip(".") for line in lines if line.split()[:1] in (["search"], ["domain"])
            for word in line.split()[1:]]


def parse_allowed_hosts(value: str) -> set[str]:
    return {name.strip().lower().rstrip(".") for name in value.split(",") if name.strip()}


def host_name(header: str) -> str:
    """The name part of a Host header: "[::1]:8080" -> "::1", "Box.lan.:80" -> "box.lan"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") == 1 else header.rstrip(".")


def host_allowed(header: str | None, names: AbstractSet[str], allowed: AbstractSet[str]) -> bool:
    if not header or "*" in allowed:
        return True  # HTTP/1.0 clients send no Host; browsers always do
    name = host_name(header)
    try:
        parse_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name in names or name in allowed
