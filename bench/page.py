"""Page drawing speed: frames drawn per second in headless Chromium against a real server.

Run as `python bench/page.py` (part of `make bench`). Starts uvicorn on a free loopback port,
opens the page in headless Debian Chromium (/usr/bin/chromium), makes sure it plays, and
counts the page's draws (window.__bp.draws: one per animation frame that drew a new server
frame) over ~5 s: at the defaults (XOR), on spiral with 8 hidden layers of 8 (64 neuron maps)
and on MNIST. Targets: >= 15 draws/s headless at the defaults, >= 20 at spiral 8x8. Writes
bench/results/page.json.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402

from app.web.app import create_app  # noqa: E402
from app.web.settings import Settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGETS = {"xor_defaults": 15.0, "spiral_8x8": 20.0}
SECONDS = 5.0
SPIRAL_8X8 = "#dataset=spiral&hidden_layers=8,8,8,8,8,8,8,8"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[uvicorn.Server, str]:
    port = free_port()
    settings = Settings(port=port)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def measure(page, seconds: float = SECONDS) -> dict:
    """Draws and frames received per second over `seconds` while playing."""
    page.evaluate(
        "() => { if (!window.__bp.state.running) document.getElementById('btn-play').click(); }"
    )
    page.wait_for_function(
        "() => window.__bp.state.frame && window.__bp.state.frame.state === 'running'"
    )
    time.sleep(1.0)  # warm-up
    d0, f0, s0 = page.evaluate(
        "() => [window.__bp.draws, window.__bp.frames, window.__bp.lastStep]"
    )
    t0 = time.perf_counter()
    time.sleep(seconds)
    d1, f1, s1 = page.evaluate(
        "() => [window.__bp.draws, window.__bp.frames, window.__bp.lastStep]"
    )
    dt = time.perf_counter() - t0
    timing = page.evaluate("() => window.__bp.t || {}")
    return {
        "draws_per_s": round((d1 - d0) / dt, 1),
        "frames_received_per_s": round((f1 - f0) / dt, 1),
        "steps_per_s": round((s1 - s0) / dt, 1),
        "ms_per_part": {k: round(v, 2) for k, v in timing.items()},
    }


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"page bench skipped: no Chromium at {CHROMIUM}")
        return 0
    from playwright.sync_api import sync_playwright

    server, url = start_server()
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url + "/")
            page.wait_for_function("() => window.__bp && window.__bp.draws > 0", timeout=20_000)
            results["xor_defaults"] = measure(page)
            page.goto(url + "/" + SPIRAL_8X8)
            page.reload()
            page.wait_for_function(
                "() => window.__bp.state.frame && window.__bp.state.frame.layers.length === 9",
                timeout=20_000,
            )
            results["spiral_8x8"] = measure(page)
            page.click("[data-testid=dataset-mnist]")
            page.wait_for_function(
                "() => window.__bp.state.dataset && window.__bp.state.dataset.kind === 'image'",
                timeout=20_000,
            )
            results["mnist"] = measure(page)
            browser.close()
    finally:
        server.should_exit = True

    print(f"Page draws per second, headless Chromium 1366x768 ({SECONDS:.0f} s each)")
    print(f"{'case':<14} {'draws/s':>8} {'frames in/s':>12} {'steps/s':>9}  target")
    for name, r in results.items():
        goal = TARGETS.get(name)
        ok = "ok" if goal and r["draws_per_s"] >= goal else "BELOW"
        target = f">= {goal:.0f} {ok}" if goal else "(info)"
        print(
            f"{name:<14} {r['draws_per_s']:>8} {r['frames_received_per_s']:>12} "
            f"{r['steps_per_s']:>9}  {target}"
        )
        print(f"{'':<14} ms per draw part (EMA): {r['ms_per_part']}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "page.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
