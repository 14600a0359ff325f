"""One adapter per daemon under test: how to configure, start, feed and list it.

Every daemon runs on 127.0.0.1 with DHT, LSD, UPnP and NAT-PMP off, no queue and no rate limits,
in its own folder with HOME pointed there. Quirks handled here: docs/reference/swarm.md.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import libtorrent as lt

from .procs import basic_auth, free_port, http_request, kill_proc, multipart, port_open, spawn

HERE = Path(__file__).resolve().parent


def _output(cmd: list[str]) -> str:
    """What a command prints (transmission-daemon --version writes to stderr)."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout + done.stderr).strip()


class Daemon:
    """Start, wait until the API answers, add torrents, list them, stop."""
    name = "daemon"
    supports: tuple[str, ...] = ("idle", "many", "transfer")

    def __init__(self, workdir: str, opts: dict) -> None:
        self.dir, self.opts = workdir, opts
        self.download_dir = os.path.join(workdir, "download")
        os.makedirs(self.download_dir, exist_ok=True)
        self.webui_port, self.peer_port = free_port(), free_port()
        self.proc: subprocess.Popen | None = None
        self.t_start = 0.0

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Write the daemon's configuration before it starts."""

    def ping(self) -> bool:
        raise NotImplementedError

    def add_torrent_file(self, path: str, save_path: str, paused: bool = False, info_hash: str = "") -> str:
        raise NotImplementedError

    def list_raw(self) -> bytes:
        """One full listing through the API, as sent."""
        raise NotImplementedError

    def normalize(self, raw: bytes) -> list[dict]:
        """The listing as [{"hash", "progress" (0-1), "state"}]; states: checking, downloading,
        seeding, stopped, queued, error, other."""
        raise NotImplementedError

    def progress(self, tid: str) -> tuple[float, bool]:
        raise NotImplementedError

    def shutdown_api(self) -> bool:
        """Ask the daemon to exit through its API; False when it has no such call."""
        return False

    @classmethod
    def version(cls) -> str | None:
        return None

    def add_many(self, items: list[tuple[str, str]], save_path: str, paused: bool = False) -> None:
        for path, info_hash in items:
            self.add_torrent_file(path, save_path, paused, info_hash)

    def list_all(self) -> list[dict]:
        return self.normalize(self.list_raw())

    def env(self) -> dict[str, str]:
        home = {"HOME": self.dir, **{f"XDG_{k}_HOME": os.path.join(self.dir, k.lower()) for k in ("CONFIG", "DATA",
                                                                                               "CACHE")}}
        return {**os.environ, **home}

    def start(self) -> subprocess.Popen:
        self.prepare()
        self.proc = spawn(self.command(), log_path=os.path.join(self.dir, "daemon.log"), env=self.env(), cwd=self.dir)
        self.t_start = time.monotonic()
        return self.proc

    def wait_ready(self, timeout: float = 90) -> float:
        """Seconds from start until the API answered."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: see {self.dir}/daemon.log")
            try:
                if self.ping():
                    return time.monotonic() - self.t_start
            except (OSError, RuntimeError, ValueError, AttributeError):
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.name}: no API after {timeout} s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.shutdown_api():
                self.proc.wait(timeout=20)
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            pass
        kill_proc(self.proc)
        self.proc = None


class Transmission(Daemon):
    name = "transmission"
    FIELDS = ["id", "hashString", "name", "status", "totalSize", "sizeWhenDone", "percentDone", "leftUntilDone",
              "downloadedEver", "uploadedEver", "uploadRatio", "rateUpload", "rateDownload", "eta", "labels",
              "peersConnected", "peersSendingToUs", "peersGettingFromUs", "queuePosition", "addedDate", "doneDate",
              "downloadDir", "error", "errorString", "isFinished", "recheckProgress"]
    STATES = {0: "stopped", 1: "checking", 2: "checking", 3: "queued", 4: "downloading", 5: "queued", 6: "seeding"}
    session_id = ""

    def prepare(self) -> None:
        self.config = os.path.join(self.dir, "config")
        os.makedirs(self.config, exist_ok=True)
        off = ("port-forwarding-enabled", "dht-enabled", "lpd-enabled", "pex-enabled", "incomplete-dir-enabled",
               "watch-dir-enabled", "speed-limit-down-enabled", "speed-limit-up-enabled", "alt-speed-enabled",
               "download-queue-enabled", "seed-queue-enabled", "queue-stalled-enabled", "ratio-limit-enabled",
               "idle-seeding-limit-enabled", "blocklist-enabled", "rpc-authentication-required",
               "rpc-host-whitelist-enabled", "peer-port-random-on-start", "trash-original-torrent-files")
        settings = {**dict.fromkeys(off, False), "rpc-enabled": True, "rpc-port": self.webui_port,
                    "rpc-bind-address": "127.0.0.1", "rpc-whitelist": "127.0.0.1", "peer-port": self.peer_port,
                    "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "utp-enabled": False,
                    "download-dir": self.download_dir, "encryption": 1, "message-level": 1,
                    "start-added-torrents": True, "peer-limit-global": 200, "peer-limit-per-torrent": 50}
        Path(self.config, "settings.json").write_text(json.dumps(settings, indent=1))

    def command(self) -> list[str]:
        return ["transmission-daemon", "-f", "-g", self.config, "--log-error"]

    def rpc_raw(self, method: str, args: dict | None = None) -> bytes:
        body = json.dumps({"method": method, "arguments": args or {}}).encode()
        for _ in range(3):  # a 409 hands out the session id to send
            status, headers, data = http_request("POST", self.webui_port, "/transmission/rpc", body, {
                "X-Transmission-Session-Id": self.session_id, "Content-Type": "application/json"})
            if status != 409:
                if status != 200:
                    raise RuntimeError(f"transmission {method}: HTTP {status}")
                return data
            self.session_id = headers.get("X-Transmission-Session-Id", "")
        raise RuntimeError("transmission: no session id")

    def rpc(self, method: str, args: dict | None = None) -> dict:
        reply = json.loads(self.rpc_raw(method, args))
        if reply.get("result") != "success":
            raise RuntimeError(f"transmission {method}: {reply.get('result')}")
        return reply.get("arguments", {})

    def ping(self) -> bool:
        return "version" in self.rpc("session-get")

    def add_torrent_file(self, path: str, save_path: str, paused: bool = False, info_hash: str = "") -> str:
        import base64
        meta = base64.b64encode(Path(path).read_bytes()).decode()
        added = self.rpc("torrent-add", {"metainfo": meta, "download-dir": save_path, "paused": paused})
        return (added.get("torrent-added") or added["torrent-duplicate"])["id"]

    def list_raw(self) -> bytes:
        return self.rpc_raw("torrent-get", {"fields": self.FIELDS})

    def normalize(self, raw: bytes) -> list[dict]:
        return [{"hash": t["hashString"], "progress": t["percentDone"],
                 "state": "error" if t.get("error") else self.STATES.get(t["status"], "other")}
                for t in json.loads(raw)["arguments"]["torrents"]]

    def progress(self, tid: str) -> tuple[float, bool]:
        t = self.rpc("torrent-get", {"ids": [tid], "fields": ["percentDone", "leftUntilDone"]})["torrents"][0]
        return t["percentDone"], t["leftUntilDone"] == 0 and t["percentDone"] >= 1.0

    def shutdown_api(self) -> bool:
        self.rpc("session-close")
        return True

    @classmethod
    def version(cls) -> str | None:
        return next(iter(_output(["transmission-daemon", "--version"]).splitlines()), None)


QBT_CONF = """[LegalNotice]
Accepted=true

[BitTorrent]
Session\\Port={peer_port}
Session\\DefaultSavePath={download_dir}
Session\\TempPathEnabled=false
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\QueueingSystemEnabled=false
Session\\BTProtocol=TCP
Session\\MultiConnectionsPerIp=true
Session\\IgnoreLimitsOnLAN=true
Session\\SSRFMitigation=false
Session\\Interface=lo
Session\\InterfaceName=lo
Session\\InterfaceAddress=127.0.0.1
Session\\GlobalMaxRatio=-1
Session\\RefreshInterval={refresh_ms}

[Network]
PortForwardingEnabled=false

[Preferences]
WebUI\\Enabled=true
WebUI\\Address=127.0.0.1
WebUI\\Port={webui_port}
WebUI\\LocalHostAuth=false
WebUI\\CSRFProtection=false
WebUI\\HostHeaderValidation=false
WebUI\\UseUPnP=false
Connection\\UPnP=false
Connection\\ResolvePeerCountries=false
"""


class QBittorrent(Daemon):
    name = "qbittorrent"
    STATES = {"error": "error", "missingFiles": "error", "uploading": "seeding", "stalledUP": "seeding",
              "forcedUP": "seeding", "pausedUP": "stopped", "pausedDL": "stopped", "stoppedUP": "stopped",
              "stoppedDL": "stopped", "queuedUP": "queued", "queuedDL": "queued", "checkingUP": "checking",
              "checkingDL": "checking", "checkingResumeData": "checking", "downloading": "downloading",
              "metaDL": "downloading", "stalledDL": "downloading", "forcedDL": "downloading",
              "allocating": "downloading"}
    cookie = ""

    def prepare(self) -> None:
        self.profile = os.path.join(self.dir, "profile")
        config = Path(self.profile, "qBittorrent", "config")
        config.mkdir(parents=True, exist_ok=True)
        # The UI refreshes torrent state every RefreshInterval: short only when a transfer is timed.
        refresh = int(self.opts.get("qbt_refresh_ms") or 1500)
        (config / "qBittorrent.conf").write_text(QBT_CONF.format(
            peer_port=self.peer_port, download_dir=self.download_dir, webui_port=self.webui_port, refresh_ms=refresh))

    def command(self) -> list[str]:
        return ["qbittorrent-nox", f"--profile={self.profile}", f"--webui-port={self.webui_port}"]

    def api(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> bytes:
        headers = {"Referer": f"http://127.0.0.1:{self.webui_port}/", "Cookie": self.cookie}
        if content_type:
            headers["Content-Type"] = content_type
        status, _, data = http_request(method, self.webui_port, path, body, headers)
        if status != 200:
            raise RuntimeError(f"qbittorrent {path}: HTTP {status} {data[:200]!r}")
        return data

    def ping(self) -> bool:
        _, headers, _ = http_request("POST", self.webui_port, "/api/v2/auth/login",
                                     b"username=admin&password=adminadmin",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        if "SID=" in headers.get("Set-Cookie", ""):
            self.cookie = headers["Set-Cookie"].split(";")[0]
        return bool(self.api("GET", "/api/v2/app/version"))

    def _upload(self, paths: list[str], save_path: str, paused: bool, fields: list[tuple[str, str]]) -> None:
        files = [("torrents", os.path.basename(p), Path(p).read_bytes()) for p in paths]
        content_type, body = multipart([("savepath", save_path), ("paused", str(paused).lower()), *fields], files)
        if (reply := self.api("POST", "/api/v2/torrents/add", body, content_type)).strip() != b"Ok.":
            raise RuntimeError(f"qbittorrent add: {reply!r}")

    def add_many(self, items: list[tuple[str, str]], save_path: str, paused: bool = False) -> None:
        for i in range(0, len(items), 50):
            self._upload([p for p, _ in items[i:i + 50]], save_path, paused, [("skip_checking", "true")])

    def add_torrent_file(self, path: str, save_path: str, paused: bool = False, info_hash: str = "") -> str:
        self._upload([path], save_path, paused, [])
        return info_hash

    def list_raw(self) -> bytes:
        return self.api("GET", "/api/v2/torrents/info")

    def normalize(self, raw: bytes) -> list[dict]:
        return [{"hash": t["hash"], "progress": t["progress"], "state": self.STATES.get(t["state"], "other")}
                for t in json.loads(raw)]

    def progress(self, tid: str) -> tuple[float, bool]:
        found = json.loads(self.api("GET", f"/api/v2/torrents/info?hashes={tid}"))
        return (found[0]["progress"], found[0]["progress"] >= 1.0 and found[0]["amount_left"] == 0) if found \
            else (0.0, False)

    def shutdown_api(self) -> bool:
        self.api("POST", "/api/v2/app/shutdown")
        return True

    @classmethod
    def version(cls) -> str | None:
        return _output(["qbittorrent-nox", "--version"]) or None


class Deluge(Daemon):
    """deluged, for its idle footprint only: its API is rencode over TLS (or deluge-web's JSON)."""
    name = "deluge"
    supports = ("idle",)

    def prepare(self) -> None:
        self.config = os.path.join(self.dir, "config")
        os.makedirs(self.config, exist_ok=True)
        core = {"dht": False, "upnp": False, "natpmp": False, "lsd": False, "utpex": False,
                "listen_ports": [self.peer_port, self.peer_port], "random_port": False,
                "listen_interface": "127.0.0.1", "new_release_check": False, "download_location": self.download_dir,
                "allow_remote": False, "daemon_port": self.webui_port, "send_info": False}
        Path(self.config, "core.conf").write_text(json.dumps({"file": 1, "format": 1}) + json.dumps(core, indent=1))

    def command(self) -> list[str]:
        return ["deluged", "-d", "-c", self.config, "-p", str(self.webui_port), "-u", "127.0.0.1", "-i",
                "127.0.0.1", "-L", "error", "-l", os.path.join(self.dir, "deluged.log")]

    def ping(self) -> bool:
        return port_open(self.webui_port)

    @classmethod
    def version(cls) -> str | None:
        return _output(["deluged", "--version"]).replace("\n", "; ") or None


class UTorrentAPI(Daemon):
    """A daemon speaking the µTorrent Web API: token.html, list=1, action=add-file. Subclasses say how to
    start it (the `utapi_cmd` option is a template with {workdir}, {webui_port}, {peer_port}, {download_dir})."""
    name = "utapi"
    base = "/gui/"
    token = ""
    cookie = ""

    def __init__(self, workdir: str, opts: dict) -> None:
        super().__init__(workdir, opts)
        user, _, password = (opts.get("utapi_auth") or "admin:").partition(":")
        self.auth = basic_auth(user, password)

    def command(self) -> list[str]:
        return shlex.split(self.opts["utapi_cmd"].format(workdir=self.dir, webui_port=self.webui_port,
                                                         peer_port=self.peer_port, download_dir=self.download_dir))

    def headers(self, content_type: str = "") -> dict[str, str]:
        found = {"Authorization": self.auth, "Cookie": self.cookie}
        return {**found, "Content-Type": content_type} if content_type else found

    def fetch_token(self) -> str:
        status, headers, data = http_request("GET", self.webui_port, self.base + "token.html", None, self.headers())
        if status != 200:
            raise RuntimeError(f"token.html: HTTP {status}")
        if cookie := headers.get("Set-Cookie", ""):
            self.cookie = cookie.split(";")[0]
        self.token = re.search(rb">([^<>]+)</div>", data).group(1).decode()
        return self.token

    def gui(self, query: str, body: bytes | None = None, content_type: str = "") -> bytes:
        status = 0
        for _ in range(2):  # one retry with a fresh token
            if not self.token:
                self.fetch_token()
            status, _, data = http_request("POST" if body is not None else "GET", self.webui_port,
                                           f"{self.base}?token={self.token}&{query}", body, self.headers(content_type))
            if status == 200:
                return data
            self.token = ""
        raise RuntimeError(f"µTorrent API {query}: HTTP {status}")

    def ping(self) -> bool:
        return bool(self.fetch_token())

    def _link_payload(self, path: str, save_path: str) -> None:
        """add-file saves into the daemon's own folder: show the existing payload there."""
        if save_path and os.path.abspath(save_path) != os.path.abspath(self.download_dir):
            name = lt.torrent_info(path).name()
            source, target = os.path.join(save_path, name), os.path.join(self.download_dir, name)
            if os.path.exists(source) and not os.path.lexists(target):
                os.symlink(source, target)

    def add_torrent_file(self, path: str, save_path: str, paused: bool = False, info_hash: str = "") -> str:
        self._link_payload(path, save_path)
        content_type, body = multipart([], [("torrent_file", os.path.basename(path), Path(path).read_bytes())])
        self.gui("action=add-file", body, content_type)
        if paused and info_hash:
            self.gui(f"action=stop&hash={info_hash}")
        return info_hash.upper()

    def list_raw(self) -> bytes:
        return self.gui("list=1")

    @staticmethod
    def state(bits: int, permille: int) -> str:
        """From µTorrent's STATUS bits (docs/reference/libtorrent.md#status-mapping)."""
        if bits & 16:
            return "error"
        if bits & 2:
            return "checking"
        if bits & 32 or not bits & 1:
            return "queued" if bits & 64 else "stopped"
        return "seeding" if permille >= 1000 else "downloading"

    def normalize(self, raw: bytes) -> list[dict]:
        return [{"hash": t[0], "progress": t[4] / 1000, "state": self.state(t[1], t[4])}
                for t in json.loads(raw).get("torrents", [])]

    def progress(self, tid: str) -> tuple[float, bool]:
        for row in self.list_all():
            if row["hash"].upper() == tid.upper():
                return row["progress"], row["progress"] >= 1.0
        return 0.0, False


class LibtorrentBare(UTorrentAPI):
    """ltdaemon_main.py: a bare libtorrent session in Python, tuned for loopback."""
    name = "lt"
    profile = "tuned"

    def command(self) -> list[str]:
        return [sys.executable, str(HERE / "ltdaemon_main.py"), str(self.webui_port), str(self.peer_port),
                self.download_dir, self.profile]

    @classmethod
    def version(cls) -> str | None:
        return f"libtorrent {lt.__version__} in Python {sys.version.split()[0]}"


class LibtorrentDefault(LibtorrentBare):
    """The same with libtorrent's default settings."""
    name = "lt-default"
    profile = "default"


ADAPTERS: dict[str, type[Daemon]] = {cls.name: cls for cls in (Transmission, QBittorrent, Deluge, LibtorrentBare,
                                                               LibtorrentDefault)}


def new_daemon(name: str, workdir: str, tag: str, opts: dict) -> Daemon:
    """A fresh adapter in its own folder under WORKDIR/run."""
    folder = os.path.join(workdir, "run", f"{name}-{tag}-{int(time.time() * 1000) % 10**8}")
    return ADAPTERS[name](folder, opts)
