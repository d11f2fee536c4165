"""Fair-sharing benchmark: does a light tab keep its frame rate beside heavy ones?

A real `python -m app` on loopback; `--heavy` tabs train the heaviest allowed kind of run
(spiral, 5,000 samples, 8 x 256 ReLU, batch 5,000), then one XOR tab at the defaults opens
beside them (as a student's tab opens in a busy class). Prints, each beside its target:
- the light tab's start-up (hello and first frame after connecting, ms);
- the light tab's frames/s (>= 20) and its ping round trip p50/p95 (p95 <= 100 ms);
- the heavy tabs' frames/s (min / median) and steps/s: what they share.

    python bench/fairness.py [--heavy 8] [--seconds 10] [--workers N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stream import free_port, pct, print_rows, save_results, start_server  # noqa: E402

HEAVY = {
    "dataset": "spiral",
    "n_samples": 5000,
    "hidden_layers": [256] * 8,
    "activation": "relu",
    "batch_size": 5000,
}


async def _until(ws, pred, timeout: float = 120) -> dict:
    async def read():
        while True:
            msg = json.loads(await ws.recv())
            if pred(msg):
                return msg

    return await asyncio.wait_for(read(), timeout)


async def heavy_tab(url: str, ready: asyncio.Event, stop: asyncio.Event, out: list) -> None:
    """A tab training the heavy run until `stop`; counts its frames after `ready`. A server
    too busy to answer the socket's keepalive pings drops it: counted as dropped."""
    me = {"frames": 0, "steps": [], "training": False, "dropped": False}
    out.append(me)
    try:
        await _heavy_tab(url, ready, stop, me)
    except websockets.ConnectionClosed:
        me["dropped"] = True


async def _heavy_tab(url: str, ready: asyncio.Event, stop: asyncio.Event, me: dict) -> None:
    async with websockets.connect(url, max_size=2**24, ping_timeout=None) as ws:
        await _until(ws, lambda m: m["type"] == "hello")
        await ws.send(json.dumps({"type": "configure", "config": HEAVY}))
        await _until(ws, lambda m: m["type"] == "status" and "changed" in m)
        await ws.send(json.dumps({"type": "play"}))
        await _until(ws, lambda m: m["type"] == "frame" and m["step"] > 0)
        me["training"] = True
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            if ready.is_set() and raw.startswith('{"type":"frame"'):
                me["frames"] += 1
                me["steps"].append(json.loads(raw)["step"])


async def light_tab(url: str, seconds: float) -> dict:
    """The XOR tab: start-up times, frames/s and ping round trips over `seconds`."""
    t0 = time.perf_counter()
    async with websockets.connect(url, max_size=2**24, ping_timeout=None) as ws:
        await _until(ws, lambda m: m["type"] == "hello")
        hello_ms = (time.perf_counter() - t0) * 1000
        await _until(ws, lambda m: m["type"] == "frame")
        first_ms = (time.perf_counter() - t0) * 1000
        sent: dict[int, float] = {}
        rtts: list[float] = []
        frames = 0

        async def pinger():
            i = 0
            while True:
                await asyncio.sleep(0.1)
                i += 1
                sent[i] = time.perf_counter()
                await ws.send(json.dumps({"type": "ping", "id": i}))

        task = asyncio.create_task(pinger())
        end = time.perf_counter() + seconds
        try:
            while (left := end - time.perf_counter()) > 0:
                try:
                    raw = await asyncio.wait_for(ws.recv(), left)
                except TimeoutError:
                    break
                if raw.startswith('{"type":"frame"'):
                    frames += 1
                elif raw.startswith('{"type":"pong"'):
                    i = json.loads(raw)["id"]
                    rtts.append((time.perf_counter() - sent.pop(i)) * 1000)
        finally:
            task.cancel()
        lost = len(sent)  # pings never answered within the window count as the window
        rtts += [seconds * 1000] * max(0, lost - 1)  # (the last may be in flight)
    return {
        "hello_ms": hello_ms,
        "first_frame_ms": first_ms,
        "fps": frames / seconds,
        "ping_p50": pct(rtts, 0.5) if rtts else float("inf"),
        "ping_p95": pct(rtts, 0.95) if rtts else float("inf"),
    }


async def trial(url: str, heavy: int, seconds: float) -> dict:
    ready, stop, out = asyncio.Event(), asyncio.Event(), []
    tasks = [asyncio.create_task(heavy_tab(url, ready, stop, out)) for _ in range(heavy)]
    # Every heavy tab trains (or was dropped) before the light one opens.
    while len(out) < heavy or not all(h["training"] or h["dropped"] for h in out):
        await asyncio.sleep(0.2)
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()
    await asyncio.sleep(1.0)
    ready.set()
    light = await light_tab(url, seconds)
    stop.set()
    await asyncio.gather(*tasks)
    hfps = [h["frames"] / seconds for h in out]
    hsteps = [(h["steps"][-1] - h["steps"][0]) / seconds if len(h["steps"]) > 1 else 0 for h in out]
    dropped = sum(1 for h in out if h["dropped"])
    return {**light, "heavy_fps": hfps, "heavy_steps_per_s": hsteps, "heavy_dropped": dropped}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heavy", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: its own)")
    args = ap.parse_args()
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    print(
        f"Fairness benchmark: {args.heavy} heavy tabs + 1 XOR tab, python -m app on "
        f"127.0.0.1:{port}, {os.cpu_count()} cores, {args.repeat} trials of {args.seconds:g} s"
    )
    proc = start_server(port, args.workers)
    trials = []
    try:
        for _ in range(args.repeat):
            trials.append(asyncio.run(trial(url, args.heavy, args.seconds)))
            r = trials[-1]
            print(
                f"  trial: XOR {r['fps']:.1f} frames/s, ping p95 {r['ping_p95']:.0f} ms, "
                f"first frame {r['first_frame_ms']:.0f} ms; heavy median "
                f"{statistics.median(r['heavy_fps']):.2f} frames/s, "
                f"{r['heavy_dropped']} dropped",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    def spread(key: str, fmt: str = ".1f") -> str:
        xs = [t[key] for t in trials]
        return f"{statistics.median(xs):{fmt}} ({min(xs):{fmt}}-{max(xs):{fmt}})"

    heavy_fps = [f for t in trials for f in t["heavy_fps"]]
    heavy_steps = [s for t in trials for s in t["heavy_steps_per_s"]]
    rows = [
        ("XOR tab: hello after connect (ms)", spread("hello_ms", ".0f"), "", None),
        ("XOR tab: first frame after connect (ms)", spread("first_frame_ms", ".0f"), "", None),
        (
            "XOR tab: frames/s",
            spread("fps"),
            ">= 20",
            min(t["fps"] for t in trials) >= 20,
        ),
        ("XOR tab: ping p50 (ms)", spread("ping_p50", ".0f"), "", None),
        (
            "XOR tab: ping p95 (ms)",
            spread("ping_p95", ".0f"),
            "<= 100",
            max(t["ping_p95"] for t in trials) <= 100,
        ),
        (
            "heavy tabs: frames/s min / median",
            f"{min(heavy_fps):.2f} / {statistics.median(heavy_fps):.2f}",
            "",
            None,
        ),
        (
            "heavy tabs: steps/s min / median",
            f"{min(heavy_steps):.2f} / {statistics.median(heavy_steps):.2f}",
            "",
            None,
        ),
    ]
    print_rows(rows, 20)
    save_results("fairness", {"heavy": args.heavy, "workers": args.workers, "trials": trials})


if __name__ == "__main__":
    main()
