"""Fixtures for tests against a real miniupnpd gateway in network namespaces (see lab.py)."""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.network.netlab import HERE, Lab, missing_tool, unavailable_reason

pytestmark = pytest.mark.netns


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "no_gateway: the lab starts without miniupnpd")


@pytest.fixture(scope="session")
def netns_ok() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    missing = missing_tool()
    if missing:
        pytest.fail(missing)


@pytest.fixture
def lab(netns_ok, tmp_path: Path, request):
    """The home network with miniupnpd running (UPnP IGD and NAT-PMP/PCP); tests marked
    `no_gateway` get it without miniupnpd, and may start it themselves."""
    lab = Lab(tmp_path)
    try:
        lab.build()
        if not request.node.get_closest_marker("no_gateway"):
            lab.start_gateway()
        yield lab
    except BaseException:
        print(lab.logs())
        raise
    finally:
        lab.close()


# Run the service under another interpreter, e.g. Debian's /usr/bin/python3 with
# python3-libtorrent 2.0.8 and python3-miniupnpc 2.2.4: PORTMAP_HOST_PYTHON=/usr/bin/python3
HOST_PYTHON = os.environ.get("PORTMAP_HOST_PYTHON", sys.executable)
REPO = HERE.parent.parent


class PortmapHost:
    """utserver's PortMapService running in the LAN namespace (portmap_host.py)."""

    def __init__(self, lab: Lab, tmp_path: Path, conf: dict, **options) -> None:
        settings_path = tmp_path / "host"
        settings_path.mkdir()
        args = json.dumps({"conf": conf, "settings_path": str(settings_path), **options})
        self.log = tmp_path / "host.log"
        with open(self.log, "wb") as err:
            self.proc = lab.track(subprocess.Popen(
                ["ip", "netns", "exec", lab.ns["lan"], HOST_PYTHON,
                 str(HERE / "portmap_host.py"), args],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)}))
        self._lines = selectors.DefaultSelector()
        self._lines.register(self.proc.stdout, selectors.EVENT_READ)
        assert self._read(20) == {"ready": True}

    def ask(self, command: str, timeout: float = 15) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read(timeout)

    def state(self) -> dict:
        return self.ask("state")

    def _read(self, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._lines.select(max(0.0, end - time.monotonic())):
                line = self.proc.stdout.readline()
                if not line:
                    break
                return json.loads(line)
        raise AssertionError(f"no answer from portmap_host; its log:\n{self.log.read_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def portmap_host(lab: Lab, tmp_path: Path):
    """Factory: portmap_host(conf, **options) -> PortmapHost (stopped by the lab)."""
    return lambda conf, **options: PortmapHost(lab, tmp_path, conf, **options)
