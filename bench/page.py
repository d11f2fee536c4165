"""The page beside TensorFlow Playground's, in the same run: five figures (issue 20).

Run as `python bench/page.py [rounds]` (part of `make bench`). Starts our server as a user
runs it (`python -m app`, its own processes: the bench's proxies must not share its GIL) and
a static server for TensorFlow Playground's page as built offline in
../shared/anchors/tfp-page (TFP_PAGE overrides), each behind a byte-counting TCP proxy on
loopback, so bytes are counted on the wire (gzip and permessage-deflate included). Headless
Debian Chromium (/usr/bin/chromium) opens each page once uncounted (a fresh browser's first
page pays its start-up), then each in turn, alternating, `rounds` times:

1. cold load: bytes of HTTP responses in a fresh browser profile (WebSocket excluded);
   warm reload: the same URL again in the same profile (a return visit);
2. navigation -> first trained frame drawn (ours: __bp.firstTrainedAt; TFP: play is clicked
   at DOMContentLoaded, then the epoch counter's first non-zero value in an animation frame);
3. epochs/s at the page's defaults (XOR, 4,4 tanh, lr 0.03, batch 10, half for training);
4. decision-boundary redraws/s (ours: putImageData into the plot's plane canvas; TFP: of a
   >= 100 x 100 image, its heat map);
5. ours only: WebSocket bytes/s on the wire while training: XOR defaults, spiral 6 x 8 with
   neuron maps on screen, MNIST; and while paused. And XOR's epochs/s at top speed (2,000).

Prints medians and ranges and writes bench/results/page.json.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stream import free_port, start_server  # noqa: E402
from bench.wire import Proxy  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TFP_DIR = Path(os.environ.get("TFP_PAGE", ROOT.parent / "shared" / "anchors" / "tfp-page"))
if not TFP_DIR.exists():
    TFP_DIR = Path("/work/shared/anchors/tfp-page")
SECONDS = 3.0
TARGETS = {"cold_mb": 1.6, "warm_kb": 60, "first_x_tfp": 1.5, "pace_x_tfp": 0.8, "ws_kb_s": 64}

# Counts boundary-sized paints and, on TFP's page, presses play as soon as it exists.
INIT = """
window.__bench = { puts: 0, firstIterAt: null, socketAt: null, trainedIn: null };
// Ours: when the socket was opened and its first trained frame came in (drawn is later).
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Native(...args);
  window.__bench.socketAt ??= performance.now();
  ws.addEventListener("message", (e) => {
    if (window.__bench.trainedIn === null && /"type":"frame"/.test(e.data.slice(0, 40))) {
      if (JSON.parse(e.data).step > 0) window.__bench.trainedIn = performance.now();
    }
  });
  return ws;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
const put = CanvasRenderingContext2D.prototype.putImageData;
CanvasRenderingContext2D.prototype.putImageData = function (img, ...rest) {
  // Ours: the plot's plane (its canvas is named; a 100 x 100 output thumbnail is not a
  // redraw of the boundary). TFP: its >= 100 x 100 heat map (node pictures are smaller).
  const ours = !!document.querySelector("[data-testid=boundary-canvas]");
  const big = img.width >= 100 && img.height >= 100;
  if (ours ? this.canvas.dataset.testid === "boundary-canvas" : big) window.__bench.puts++;
  return put.call(this, img, ...rest);
};
document.addEventListener("DOMContentLoaded", () => {
  const play = document.getElementById("play-pause-button");
  if (!play) return;
  play.click();
  (function poll() {
    const n = +(document.getElementById("iter-number")?.textContent || "0").replace(/\\D/g, "");
    if (n > 0) window.__bench.firstIterAt = performance.now();
    else requestAnimationFrame(poll);
  })();
});
"""
OURS = {
    "first": "() => window.__bp && window.__bp.firstTrainedAt",
    "epoch": "() => window.__bp.state.frame ? window.__bp.state.frame.epoch : 0",
    # Plotly.js runs after the first picture and holds the page ~1 s: rates are taken after
    "settled": "() => window.Plotly && window.__bp.panelDraws > 0",
}
TFP = {
    "first": "() => window.__bench.firstIterAt",
    "epoch": "() => +document.getElementById('iter-number').textContent.replace(/\\D/g, '')",
}


def static_server(directory: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def visit(browser, proxy: Proxy, url: str, probe: dict) -> dict:
    """One cold visit, its figures while training, then a warm return visit."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(INIT)
    page = context.new_page()
    proxy.reset()
    page.goto(url)
    page.wait_for_function(probe["first"], timeout=30_000, polling="raf")
    first_ms = page.evaluate(probe["first"])
    # where it went: DOMContentLoaded, and (ours) the page's modules all in (socket taken)
    dcl_ms, modules_ms, socket_ms, trained_in_ms = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0].domContentLoadedEventStart,"
        " performance.getEntriesByName('bp:connect')[0]?.startTime ?? null,"
        " __bench.socketAt, __bench.trainedIn]"
    )
    page.wait_for_load_state("load")
    if "settled" in probe:
        page.wait_for_function(probe["settled"], timeout=30_000)
    time.sleep(1.0)  # late requests (i18n, lessons) and warm-up
    cold = proxy.http_bytes()
    e0, p0, w0, t0 = (
        page.evaluate(probe["epoch"]),
        page.evaluate("__bench.puts"),
        proxy.ws_bytes(),
        time.perf_counter(),
    )
    time.sleep(SECONDS)
    e1, p1, w1, t1 = (
        page.evaluate(probe["epoch"]),
        page.evaluate("__bench.puts"),
        proxy.ws_bytes(),
        time.perf_counter(),
    )
    dt = t1 - t0
    parts = page.evaluate("() => window.__bp ? window.__bp.t : null")
    figures = {
        "cold_bytes": cold,
        "first_ms": round(first_ms, 1),
        "dcl_ms": round(dcl_ms, 1),
        "modules_in_ms": None if modules_ms is None else round(modules_ms, 1),
        "socket_ms": None if socket_ms is None else round(socket_ms, 1),
        "trained_frame_in_ms": None if trained_in_ms is None else round(trained_in_ms, 1),
        "epochs_per_s": round((e1 - e0) / dt, 1),
        "redraws_per_s": round((p1 - p0) / dt, 1),
        "ws_bytes_per_s": round((w1 - w0) / dt),
        "ms_per_draw_part": {k: round(v, 2) for k, v in (parts or {}).items()},
    }
    proxy.reset()
    page.goto(url)
    page.wait_for_function(probe["first"], timeout=30_000, polling="raf")
    page.wait_for_load_state("load")
    time.sleep(0.5)
    figures["warm_bytes"] = proxy.http_bytes()
    context.close()
    return figures


def ws_rate(page, proxy: Proxy, setup: str | None, seconds: float = SECONDS) -> float:
    """WebSocket bytes/s (on the wire, server to page) after `setup` runs in the page."""
    if setup:
        page.evaluate(setup)
    time.sleep(1.5)
    w0, t0 = proxy.ws_bytes(), time.perf_counter()
    time.sleep(seconds)
    return (proxy.ws_bytes() - w0) / (time.perf_counter() - t0)


def bandwidth(browser, proxy: Proxy, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(OURS["first"], timeout=30_000)
    out = {"xor": ws_rate(page, proxy, None)}
    # Top speed (the control's top): epochs/s, against TFP's one epoch per animation frame.
    page.evaluate(
        "() => window.__bp.send({type: 'configure', config: "
        "{speed: window.__bp.state.catalogue.fields.speed.max}})"
    )
    time.sleep(1.0)
    e0, t0 = page.evaluate(OURS["epoch"]), time.perf_counter()
    time.sleep(SECONDS)
    top = (page.evaluate(OURS["epoch"]) - e0) / (time.perf_counter() - t0)
    page.close()  # a link opened in a new tab: a session of its own, played from step 0
    page = context.new_page()
    page.goto(url + "#dataset=spiral&hidden_layers=8,8,8,8,8,8")
    page.wait_for_function(
        "() => window.__bp.state.frame && window.__bp.state.frame.layers.length === 7",
        timeout=30_000,
    )
    out["spiral_6x8"] = ws_rate(page, proxy, None)
    out["paused"] = ws_rate(
        page, proxy, "() => document.querySelector('[data-testid=play]').click()"
    )
    page.click("[data-testid=dataset-mnist]")
    page.wait_for_function("() => window.__bp.state.dataset?.kind === 'image'", timeout=30_000)
    page.evaluate(
        "() => { if (!window.__bp.state.running) "
        "document.querySelector('[data-testid=play]').click(); }"
    )
    out["mnist"] = ws_rate(page, proxy, None)
    context.close()
    return {k: round(v) for k, v in out.items()}, round(top, 1)


def ready(port: int) -> None:
    """Wait until the server answers its page, then for its start-up work (app/web/warmup.py:
    files compressed, a session trained once) to be over, as before a first visitor."""
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    time.sleep(3.0)


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not Path(CHROMIUM).exists():
        print(f"page bench skipped: no Chromium at {CHROMIUM}")
        return 0
    from playwright.sync_api import sync_playwright

    tfp_server, tfp_port = static_server(TFP_DIR)
    port = free_port()
    server = start_server(port, None)
    with Proxy(port) as ours_px, Proxy(tfp_port) as tfp_px:
        ready(port)
        sites = {
            "ours": (ours_px, f"http://127.0.0.1:{ours_px.port}/", OURS),
            "tfp": (tfp_px, f"http://127.0.0.1:{tfp_px.port}/index.html", TFP),
        }
        runs: dict[str, list[dict]] = {"ours": [], "tfp": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # One uncounted visit of each page first: a fresh browser's first page pays its
            # own start-up (it fell on whichever page went first: 1.5-1.7x in round 1).
            for name in ("tfp", "ours"):
                px, url, probe = sites[name]
                visit(browser, px, url, probe)
            for r in range(rounds):  # alternate, starting with each side in turn
                for name in ("ours", "tfp") if r % 2 == 0 else ("tfp", "ours"):
                    px, url, probe = sites[name]
                    runs[name].append(visit(browser, px, url, probe))
            wire, top_speed = bandwidth(browser, ours_px, sites["ours"][1])
            browser.close()
    tfp_server.shutdown()
    server.terminate()
    server.wait(timeout=10)

    keys = ("cold_bytes", "warm_bytes", "first_ms", "epochs_per_s", "redraws_per_s")
    table = {n: {k: summary([r[k] for r in runs[n]]) for k in keys} for n in runs}
    results = {
        "rounds": rounds,
        "runs": runs,
        "summary": table,
        "ws_bytes_per_s": wire,
        "top_speed_epochs_per_s": top_speed,
    }
    print(f"The page beside TensorFlow Playground's, headless Chromium 1366x768, {rounds} rounds")
    print(f"{'figure':<30} {'ours (median, range)':>28} {'TFP (median, range)':>28}")

    def cell(s: dict, scale: float, unit: str) -> str:
        m, lo, hi = s["median"] / scale, s["min"] / scale, s["max"] / scale
        return f"{m:.2f} {unit} ({lo:.2f}-{hi:.2f})"

    rows = [
        # MiB, as issue 20 counts (its "0.50 MB" for TFP's page is 523,947 bytes)
        ("cold load, on the wire", "cold_bytes", 2**20, "MiB"),
        ("warm return visit", "warm_bytes", 1e3, "KB"),
        ("navigation -> 1st trained frame", "first_ms", 1e3, "s"),
        ("epochs/s at defaults", "epochs_per_s", 1, "/s"),
        ("boundary redraws/s", "redraws_per_s", 1, "/s"),
    ]
    for label, key, scale, unit in rows:
        ours_cell, tfp_cell = (
            cell(table["ours"][key], scale, unit),
            cell(table["tfp"][key], scale, unit),
        )
        print(f"{label:<30} {ours_cell:>28} {tfp_cell:>28}")
    o, t = table["ours"], table["tfp"]
    by_round = [
        a["first_ms"] / b["first_ms"] for a, b in zip(runs["ours"], runs["tfp"], strict=True)
    ]
    results["first_x_tfp_by_round"] = [round(x, 2) for x in by_round]
    print(
        f"ratios: first frame {o['first_ms']['median'] / t['first_ms']['median']:.2f}x TFP's, "
        f"by round {statistics.median(by_round):.2f}x ({min(by_round):.2f}-{max(by_round):.2f}) "
        f"(target <= {TARGETS['first_x_tfp']}), pace "
        f"{o['epochs_per_s']['median'] / max(t['epochs_per_s']['median'], 1e-9):.2f}x "
        f"(target >= {TARGETS['pace_x_tfp']})"
    )
    tfp_pace = t["epochs_per_s"]["median"]
    print(
        f"top speed (the control's top): {top_speed} epochs/s = "
        f"{top_speed / max(tfp_pace, 1e-9):.1f}x TFP's pace here, {top_speed / 55:.1f}x its 55/s "
        "on a quiet machine (target >= 20x)"
    )
    print("WebSocket, server -> page on the wire (KB/s; TFP: 0, it trains in the page):")
    for k, v in wire.items():
        print(f"  {k:<12} {v / 1024:7.1f}  (target <= {TARGETS['ws_kb_s']}, paused 0)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "page.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
