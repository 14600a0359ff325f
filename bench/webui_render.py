"""Web UI with N torrents: time to the first rows, sorting, searching and scrolling, and the
browser's work per second afterwards.

Runs headless Chromium (Playwright, as the web UI tests do) against a running utserver:
  render_ms   navigation start -> the first list shown: rows on screen and the sidebar counting
              all N torrents (median of ROUNDS fresh page loads)
  rows        <tr> elements in the table then (the table renders only the rows in view)
  sort_ms / search_ms / scroll_ms  a click on the Name header, typing a search, a jump to the
              middle of the list: from the event until the next frame is painted
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

# The first list is on screen: rows in the table and the sidebar's "All" counting every torrent.
READY = """(n) => window.__uiReady === true && document.querySelector('#torrents tbody tr[data-hash]')
  && document.querySelector('#categories li .count')?.textContent === String(n)"""
# A user's action, timed from its event to the frame after it is painted.
TIMED = """async () => {
  const t = performance.now();
  ACTION;
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  return performance.now() - t;
}"""
SEARCH = "const s = document.querySelector('#search'); s.value = 'VALUE'; s.dispatchEvent(new Event('input'))"
ACTIONS = {
    "sort": "document.querySelector('#torrents th[data-col=name] button').click()",
    "sort_again": "document.querySelector('#torrents th[data-col=name] button').click()",
    "search": SEARCH.replace("VALUE", "9"),
    "search_clear": SEARCH.replace("VALUE", ""),
    "scroll": "const w = document.querySelector('#list-wrap'); w.scrollTop = w.scrollHeight / 2",
}


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
                page.wait_for_function(READY, arg=n)
                times.append(page.evaluate("performance.now()"))
                if len(times) < rounds:
                    ctx.close()
            out["webui_render_ms"] = round(statistics.median(times))
            out["webui_rows"] = page.evaluate("document.querySelectorAll('#torrents tbody tr[data-hash]').length")
            for key, action in ACTIONS.items():
                out[f"webui_{key}_ms"] = round(page.evaluate(TIMED.replace("ACTION", action)), 1)
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
