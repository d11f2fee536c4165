"""Streaming benchmark: a real uvicorn on loopback and N WebSocket clients.

Prints per-client frames/s, bytes per frame, `pause` and `configure` latency (p50/p95) while
training, and training steps/s while streaming beside the bare engine, against the targets:
>= 30 frames/s for one client at defaults, p95 control latency <= 50 ms, 16 clients >= 10
frames/s each on 2 cores.

    python bench/stream.py [--seconds 5] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """The server in its own process, as a user runs it (clients must not share its GIL)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start: " + proc.stderr.read().decode()[-2000:])


async def watch(url: str, seconds: float, warmup: float = 1.0, speed: int | None = None) -> dict:
    """One client: connect, let it train, count frames and bytes for `seconds`.

    speed: training steps per frame (default: the page's default).
    """
    async with websockets.connect(url, max_size=2**24) as ws:
        if speed is not None:
            await ws.send(json.dumps({"type": "configure", "config": {"speed": speed}}))
        t_end = time.monotonic() + warmup + seconds
        t_start = time.monotonic() + warmup
        frames = nbytes = 0
        first_step = last_step = None
        while (now := time.monotonic()) < t_end:
            try:
                raw = await asyncio.wait_for(ws.recv(), t_end - now)
            except asyncio.TimeoutError:
                break
            msg = json.loads(raw)
            if msg["type"] != "frame" or time.monotonic() < t_start:
                continue
            frames += 1
            nbytes += len(raw)
            first_step = msg["step"] if first_step is None else first_step
            last_step = msg["step"]
        return {
            "fps": frames / seconds,
            "bytes": nbytes / max(frames, 1),
            "steps_per_s": ((last_step or 0) - (first_step or 0)) / seconds,
        }


async def latencies(url: str, rounds: int) -> dict[str, list[float]]:
    """Milliseconds from a control message to the server's answer, while training runs."""
    out: dict[str, list[float]] = {"configure": [], "pause": []}
    async with websockets.connect(url, max_size=2**24) as ws:

        async def answer(pred) -> float:
            t0 = time.perf_counter()
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "status" and pred(msg):
                    return (time.perf_counter() - t0) * 1000

        await asyncio.sleep(1.0)
        for i in range(rounds):
            lr = 0.03 if i % 2 else 0.05
            await ws.send(json.dumps({"type": "configure", "config": {"learning_rate": lr}}))
            out["configure"].append(
                await answer(lambda m, lr=lr: m["config"]["learning_rate"] == lr)
            )
            await asyncio.sleep(0.05)
        for _ in range(rounds // 2):
            await ws.send(json.dumps({"type": "pause"}))
            out["pause"].append(await answer(lambda m: m["state"] == "paused"))
            await ws.send(json.dumps({"type": "play"}))
            await answer(lambda m: m["state"] == "running")
            await asyncio.sleep(0.1)
    return out


def bare_engine(seconds: float) -> dict:
    """Training steps/s of the default session with nothing streamed, and with frames built."""
    from app.training.session import TrainingSession

    s = TrainingSession()
    s.advance(200)
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += s.advance(100)
    steps = n / (time.perf_counter() - t0)
    t0, k = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        s.frame("running")
        k += 1
    return {"steps_per_s": steps, "frame_ms": 1000 * (time.perf_counter() - t0) / k}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    print(f"Streaming benchmark: uvicorn on 127.0.0.1:{port}, {os.cpu_count()} cores")
    proc = start_server(port)
    try:
        one = asyncio.run(watch(url, args.seconds))
        fast = asyncio.run(watch(url, args.seconds, speed=1000))
        lat = asyncio.run(latencies(url, args.rounds))

        async def many():
            return await asyncio.gather(*(watch(url, args.seconds) for _ in range(args.clients)))

        crowd = asyncio.run(many())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bare = bare_engine(2.0)
    fps = [c["fps"] for c in crowd]
    rows = [
        ("1 client: frames/s", f"{one['fps']:.1f}", ">= 30", one["fps"] >= 30),
        ("1 client: KB per frame", f"{one['bytes'] / 1024:.1f}", "<= 64", one["bytes"] <= 65536),
        (
            "configure latency p50 / p95 (ms)",
            f"{pct(lat['configure'], 0.5):.1f} / {pct(lat['configure'], 0.95):.1f}",
            "p95 <= 50",
            pct(lat["configure"], 0.95) <= 50,
        ),
        (
            "pause latency p50 / p95 (ms)",
            f"{pct(lat['pause'], 0.5):.1f} / {pct(lat['pause'], 0.95):.1f}",
            "p95 <= 50",
            pct(lat["pause"], 0.95) <= 50,
        ),
        (
            f"{args.clients} clients: frames/s min / median",
            f"{min(fps):.1f} / {statistics.median(fps):.1f}",
            ">= 10 each",
            min(fps) >= 10,
        ),
        (
            "training steps/s streaming at default speed (10/frame)",
            f"{one['steps_per_s']:,.0f}",
            "",
            True,
        ),
        (
            "training steps/s streaming at top speed (1000/frame)",
            f"{fast['steps_per_s']:,.0f}",
            f"{fast['steps_per_s'] / bare['steps_per_s']:.2f}x bare",
            True,
        ),
        ("bare engine steps/s (default session)", f"{bare['steps_per_s']:,.0f}", "", True),
        ("building one frame (ms)", f"{bare['frame_ms']:.2f}", "", True),
    ]
    w = max(len(r[0]) for r in rows)
    for name, value, target, ok in rows:
        mark = "" if not target or "bare" in target else ("  ok" if ok else "  MISSED")
        print(f"  {name:<{w}}  {value:>14}  {target}{mark}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "stream.json").write_text(
        json.dumps(
            {
                "one_client": one,
                "top_speed": fast,
                "latency_ms": lat,
                "clients": crowd,
                "bare": bare,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
