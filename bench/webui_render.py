"""Web UI with N torrents: time to render the list, and the browser's work per second afterwards.

Runs headless Chromium (Playwright, as the web UI tests do) against a running utserver:
  render_ms   navigation start -> the first list shown with every torrent row in the table
              (median of ROUNDS fresh page loads)
  busy_ms_per_s  script + layout + style time of the page per second while it stays open and
              polls (Chrome DevTools Performance metrics over WATCH seconds)
  daemon_cpu_ms_per_s  the daemon's CPU per second over the same window (one UI polling it)
"""

from __future__ import annotations

import statistics
import time

from adapter import PASSWORD, pb

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def measure(dmn, n: int, rounds: int = 3, watch: float = 10.0) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"webui_error": f"playwright missing: {exc}"}
    url = f"http://127.0.0.1:{dmn.webui_port}/gui/"
    out: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            times = []
            page = None
            for _ in range(rounds):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800},
                                          http_credentials={"username": "admin", "password": PASSWORD})
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                page.goto(url)
                page.wait_for_function("window.__uiReady === true && "
                                       f"document.querySelectorAll('#torrents tbody tr').length >= {n}")
                times.append(page.evaluate("performance.now()"))
                if len(times) < rounds:
                    ctx.close()
            out["webui_render_ms"] = round(statistics.median(times))
            out["webui_rows"] = page.evaluate("document.querySelectorAll('#torrents tbody tr').length")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")

            def busy() -> float:
                m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
                return m.get("ScriptDuration", 0) + m.get("LayoutDuration", 0) + m.get("RecalcStyleDuration", 0)

            b0, c0, t0 = busy(), pb.tree_snapshot(dmn.pid)["cpu_s"], time.monotonic()
            time.sleep(watch)
            b1, c1, t1 = busy(), pb.tree_snapshot(dmn.pid)["cpu_s"], time.monotonic()
            out["webui_busy_ms_per_s"] = round((b1 - b0) * 1000 / (t1 - t0), 1)
            out["webui_daemon_cpu_ms_per_s"] = round((c1 - c0) * 1000 / (t1 - t0), 1)
        finally:
            browser.close()
    return out
