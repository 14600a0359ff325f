"""A home network in network namespaces: a WAN host, a gateway running Debian's real
miniupnpd (UPnP IGD + NAT-PMP/PCP), and a LAN host with two interfaces.

    ns wan  w0 10.213.0.2 ─ gwwan 10.213.0.1   ns gw    gwlan0 10.213.1.1 ─ l0 10.213.1.2   ns lan
            STUN responder                    miniupnpd  gwlan1 10.213.2.1 ─ l1 10.213.2.2   (default via l0)
                                              NAT: LAN -> WAN masqueraded; WAN -> LAN only what is mapped

Only addresses inside these namespaces are used. Everything is removed in close(), which the
fixtures call from a finally. See docs/reference/network-tests.md#private-wan for why the STUN
responder exists (miniupnpd refuses to forward for a private WAN address otherwise).
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
WAN_IP, GW_WAN_IP = "10.213.0.2", "10.213.0.1"
GW_LAN_IPS = ("10.213.1.1", "10.213.2.1")
LAN_IPS = ("10.213.1.2", "10.213.2.2")
LAN_IFS = ("l0", "l1")
HTTP_PORT = 5000
_counter = itertools.count()
T = TypeVar("T")

NFT_RULES = """
table inet filter {
  chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept; iifname "gwlan*" accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd;
    oifname "gwwan" masquerade; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
"""

MINIUPNPD_CONF = """ext_ifname=gwwan
listening_ip=gwlan0
listening_ip=gwlan1
ext_perform_stun=yes
ext_stun_host={wan_ip}
enable_natpmp=yes
enable_upnp={upnp}
http_port={http_port}
lease_file={lease_file}
ipv6_disable=yes
system_uptime=no
secure_mode=yes
allow 1024-65535 10.213.1.0/24 1024-65535
allow 1024-65535 10.213.2.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
"""


def wait_for(check: Callable[[], T], timeout: float, what: str, interval: float = 0.05,
             on_timeout: Callable[[], object] | None = None) -> T:
    """Poll check() until it returns something truthy; fail naming `what` after timeout s
    (with on_timeout()'s answer, to show what was seen instead)."""
    end = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > end:
            seen = f"; seen: {on_timeout()}" if on_timeout else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{seen}")
        time.sleep(interval)


def spawn_peer(lab: Lab, role: str, name: str, lifetime: float = 120, **options) -> int:
    """Start peer.py (a libtorrent peer) in a namespace; returns its listen port when ready."""
    import json
    log = lab.spawn(role, [sys.executable, str(HERE / "peer.py"),
                           json.dumps({"lifetime": lifetime, **options})], name)
    line = wait_for(lambda: "ready" in (text := log.read_text()) and text, 15, f"peer {name}")
    return int(line.split("ready ", 1)[1].split()[0])


def missing_tool() -> str | None:
    """A tool the lab needs that is not installed: `make test` installs them
    (tests/system-packages.txt), so a missing one is a broken setup, not a reason to skip."""
    for tool in ("ip", "nft", "miniupnpd", "upnpc"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (tests/system-packages.txt lists it; `make test` installs it)"
    return None


def unavailable_reason() -> str | None:
    """Why this machine cannot run the namespace lab at all (no root, no namespaces), or None."""
    if os.geteuid() != 0:
        return "needs root (CAP_NET_ADMIN) to create network namespaces; CI runs as root"
    probe = f"utpmprobe{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "`ip netns add` failed: no network namespace support in this container"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


@dataclass(frozen=True)
class Lease:
    """One line of miniupnpd's lease file: PROTO:EPORT:IADDR:IPORT:EXPIRY:DESC."""
    protocol: str
    external_port: int
    internal_ip: str
    internal_port: int
    expires: int
    description: str

    @classmethod
    def parse(cls, line: str) -> Lease:
        proto, eport, iaddr, iport, expiry, desc = line.split(":", 5)
        return cls(proto, int(eport), iaddr, int(iport), int(expiry), desc)


class Lab:
    """Builds the namespaces; start_gateway() runs the STUN responder and miniupnpd."""

    def __init__(self, workdir: Path) -> None:
        tag = f"utpm{os.getpid()}x{next(_counter)}"
        self.ns = {role: f"{tag}{role}" for role in ("wan", "gw", "lan")}
        self.workdir = workdir
        self.lease_file = workdir / "upnp.leases"
        self._procs: list[subprocess.Popen] = []
        self._logs: list[Path] = []

    # -- building -------------------------------------------------------------------------
    def build(self) -> Lab:
        for ns in self.ns.values():
            self.ip("netns", "add", ns)
            self.ip("-n", ns, "link", "set", "lo", "up")
        wan, gw, lan = self.ns["wan"], self.ns["gw"], self.ns["lan"]
        self._veth(gw, "gwwan", GW_WAN_IP, wan, "w0", WAN_IP)
        for i, (gw_ip, lan_ip) in enumerate(zip(GW_LAN_IPS, LAN_IPS, strict=True)):
            self._veth(gw, f"gwlan{i}", gw_ip, lan, LAN_IFS[i], lan_ip)
        self.ip("-n", lan, "route", "add", "default", "via", GW_LAN_IPS[0])
        self.exec("gw", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        subprocess.run(["ip", "netns", "exec", gw, "nft", "-f", "-"], input=NFT_RULES,
                       text=True, check=True, capture_output=True)
        return self

    def _veth(self, ns_a: str, if_a: str, ip_a: str, ns_b: str, if_b: str, ip_b: str) -> None:
        self.ip("link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b,
                "netns", ns_b)
        for ns, ifname, ip in ((ns_a, if_a, ip_a), (ns_b, if_b, ip_b)):
            self.ip("-n", ns, "addr", "add", f"{ip}/24", "dev", ifname)
            self.ip("-n", ns, "link", "set", ifname, "up")

    def start_gateway(self, upnp: bool = True) -> None:
        """STUN responder first (miniupnpd probes it once at start), then miniupnpd."""
        self.spawn("wan", [sys.executable, str(HERE / "stun_responder.py"), WAN_IP, "900"],
                   "stun")
        wait_for(lambda: ":3478" in self.exec("wan", "ss", "-lun").stdout, 5,
                 "the STUN responder to listen")
        conf = self.workdir / "miniupnpd.conf"
        conf.write_text(MINIUPNPD_CONF.format(wan_ip=WAN_IP, http_port=HTTP_PORT,
                                              lease_file=self.lease_file,
                                              upnp="yes" if upnp else "no"))
        log = self.spawn("gw", ["miniupnpd", "-d", "-f", str(conf),
                                "-P", str(self.workdir / "miniupnpd.pid")], "miniupnpd")
        wait_for(lambda: "Listening for NAT-PMP" in log.read_text(errors="replace"), 10,
                 "miniupnpd to start")
        wait_for(lambda: "forwarding is now enabled" in log.read_text(errors="replace")
                 or "STUN: " in log.read_text(errors="replace"), 10,
                 "miniupnpd's STUN check")

    # -- running things in namespaces -------------------------------------------------------
    @staticmethod
    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True, text=True)

    def exec(self, role: str, *argv: str, check: bool = True,
             timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.ns[role], *argv], check=check,
                              capture_output=True, text=True, timeout=timeout)

    def spawn(self, role: str, argv: list[str], name: str, **kwargs) -> Path:
        """Start a long-running helper in a namespace; its output goes to WORKDIR/NAME.log."""
        log = self.workdir / f"{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", self.ns[role], *argv],
                                    stdout=out, stderr=subprocess.STDOUT, **kwargs)
        self._procs.append(proc)
        self._logs.append(log)
        return log

    def track(self, proc: subprocess.Popen) -> subprocess.Popen:
        """Have close() stop a process the test started itself."""
        self._procs.append(proc)
        return proc

    # -- what a user would look at ---------------------------------------------------------
    def leases(self) -> list[Lease]:
        if not self.lease_file.exists():
            return []
        return [Lease.parse(line) for line in self.lease_file.read_text().splitlines()
                if line.count(":") >= 5]  # skip a line miniupnpd is still writing

    def upnpc_list(self) -> str:
        """`upnpc -l` as a user on the LAN runs it (-i: the IGD's WAN address is private)."""
        return self.exec("lan", "upnpc", "-i", "-u",
                         f"http://{GW_LAN_IPS[0]}:{HTTP_PORT}/rootDesc.xml", "-l").stdout

    def upnpc_delete(self, port: int, protocol: str) -> None:
        self.exec("lan", "upnpc", "-i", "-u", f"http://{GW_LAN_IPS[0]}:{HTTP_PORT}/rootDesc.xml",
                  "-d", str(port), protocol)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in self._logs if p.exists())

    # -- teardown --------------------------------------------------------------------------
    def close(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        for ns in self.ns.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
