"""Streaming benchmark: a real `python -m app` on loopback and WebSocket clients.

Prints, each beside its target:
- one client per network (XOR defaults, spiral [256]x8 relu, MNIST [256, 256], a 1,000-column
  uploaded CSV): frames/s (>= 30), KB per frame, mean and max (<= 64), the plane's resolution;
- `pause` and `configure` latency p50/p95 while training (p95 <= 50 ms);
- a class: 32 clients (>= 20 frames/s each) and 64 clients (>= 10 each) at XOR defaults;
- training steps/s streaming at top speed beside the bare engine.

    python bench/stream.py [--seconds 5] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.training.live.config import PRESETS  # noqa: E402

BIG = {"hidden_layers": [256] * 8, "activation": "relu"}
CASES: dict[str, dict | str | None] = {
    "XOR defaults": None,
    "spiral [256]x8 relu": {"dataset": "spiral", **BIG},
    "MNIST [256, 256]": {"dataset": "mnist", **PRESETS["image"], "hidden_layers": [256, 256]},
    "CSV of 1,000 columns": "csv",
}
STEP = re.compile(rb'"step":(\d+)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int | None, max_sessions: int = 128) -> subprocess.Popen:
    """The server in its own process, as a user runs it (clients must not share its GIL)."""
    cmd = [sys.executable, "-m", "app", "--port", str(port)]
    env = {**os.environ, "BP_MAX_SESSIONS": str(max_sessions)}
    if workers:
        env["BP_WORKERS"] = str(workers)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120  # a busy machine imports slowly
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start: " + proc.stderr.read().decode()[-2000:])


def csv_bytes(rows: int = 400, cols: int = 1000) -> bytes:
    """A table of `cols` numeric columns and a 2-class label: a wide upload."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, cols))
    y = (X[:, :10].sum(axis=1) > 0).astype(int)
    out = io.StringIO()
    out.write(",".join([f"x{i}" for i in range(cols)] + ["label"]) + "\n")
    for r, label in zip(X, y, strict=True):
        out.write(",".join(f"{v:.3f}" for v in r) + f",{label}\n")
    return out.getvalue().encode()


async def until(ws, pred) -> dict:
    while True:
        msg = json.loads(await ws.recv())
        if pred(msg):
            return msg


async def setup(ws, hello: dict, http: str, case) -> None:
    """Bring a fresh session to `case`: a config, or an uploaded CSV."""
    if case == "csv":
        import httpx

        async with httpx.AsyncClient() as client:
            r = await client.post(
                f"{http}/api/sessions/{hello['session']}/upload",
                files={"file": ("wide.csv", csv_bytes(), "text/csv")},
                timeout=60,
            )
            r.raise_for_status()
    elif case:
        await ws.send(json.dumps({"type": "configure", "config": case}))
    else:
        return
    # The answer to the change: `rebuilt` for data or layers, not for a live key like speed.
    await until(ws, lambda m: m["type"] == "status" and "changed" in m)
    await ws.send(json.dumps({"type": "play"}))


async def watch(url: str, seconds: float, case=None, warmup: float = 1.0) -> dict:
    """One client: connect, set up, let it train; count frames and bytes for `seconds`."""
    http = url.replace("ws://", "http://").rsplit("/", 1)[0]
    async with websockets.connect(url, max_size=2**24) as ws:
        hello = await until(ws, lambda m: m["type"] == "hello")
        await setup(ws, hello, http, case)
        t_start = time.monotonic() + warmup
        t_end = t_start + seconds
        frames, sizes, steps, res = 0, [], [], []
        while (now := time.monotonic()) < t_end:
            try:
                raw = await asyncio.wait_for(ws.recv(), t_end - now)
            except TimeoutError:
                break
            data = raw.encode() if isinstance(raw, str) else raw
            if not data.startswith(b'{"type":"frame"') or time.monotonic() < t_start:
                continue
            frames += 1
            sizes.append(len(data))
            steps.append(int(STEP.search(data, 0, 80).group(1)))
            if case is not None and b'"resolution":' in data:
                res.append(json.loads(data)["boundary"]["resolution"])
        return {
            "fps": frames / seconds,
            "kb_mean": statistics.fmean(sizes) / 1024 if sizes else 0.0,
            "kb_max": max(sizes) / 1024 if sizes else 0.0,
            "steps_per_s": (steps[-1] - steps[0]) / seconds if steps else 0.0,
            "planes_per_s": len(res) / seconds,
            "resolution": sorted(set(res)),
        }


async def latencies(url: str, rounds: int) -> dict[str, list[float]]:
    """Milliseconds from a control message to the server's answer, while training runs."""
    out: dict[str, list[float]] = {"configure": [], "pause": []}
    async with websockets.connect(url, max_size=2**24) as ws:

        async def answer(pred) -> float:
            t0 = time.perf_counter()
            await until(ws, lambda m: m["type"] == "status" and pred(m))
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


async def crowd(url: str, n: int, seconds: float) -> list[dict]:
    """n clients at once (connected together, measured over the same seconds)."""
    return await asyncio.gather(*(watch(url, seconds, warmup=2.0) for _ in range(n)))


def bare_engine(seconds: float) -> dict:
    """Training steps/s of the default session with nothing streamed."""
    from app.training.live.session import TrainingSession

    s = TrainingSession()
    s.advance(200)
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        n += s.advance(100)
    return {"steps_per_s": n / (time.perf_counter() - t0)}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def print_rows(rows: list[tuple[str, str, str, bool | None]], value_width: int) -> None:
    """Print (name, value, target, met) rows as a table; met None: no target to meet."""
    w = max(len(r[0]) for r in rows)
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        print(f"  {name:<{w}}  {value:>{value_width}}  {target}{mark}")


def save_results(name: str, data: dict) -> None:
    """bench/results/<name>.json: `data` and the date of the run."""
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (out / f"{name}.json").write_text(json.dumps({"date": date, **data}, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: its own)")
    ap.add_argument("--class-sizes", default="32,64", help="clients at once, comma-separated")
    args = ap.parse_args()
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    print(f"Streaming benchmark: python -m app on 127.0.0.1:{port}, {os.cpu_count()} cores")
    proc = start_server(port, args.workers)
    try:
        cases = {name: asyncio.run(watch(url, args.seconds, case)) for name, case in CASES.items()}
        fast = asyncio.run(watch(url, args.seconds, {"speed": 1000}))
        lat = asyncio.run(latencies(url, args.rounds))
        sizes = [int(n) for n in args.class_sizes.split(",") if n]
        classes = {n: asyncio.run(crowd(url, n, args.seconds)) for n in sizes}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bare = bare_engine(2.0)

    rows: list[tuple[str, str, str, bool | None]] = []
    for name, r in cases.items():
        res = "/".join(map(str, r["resolution"])) or "-"
        rows.append((f"{name}: frames/s", f"{r['fps']:.1f}", ">= 30", r["fps"] >= 30))
        rows.append(
            (
                f"{name}: KB per frame mean / max",
                f"{r['kb_mean']:.1f} / {r['kb_max']:.1f}",
                "max <= 64",
                r["kb_max"] <= 64,
            )
        )
        if r["resolution"]:
            rows.append(
                (f"{name}: planes/s, resolution", f"{r['planes_per_s']:.1f}, {res}", "", None)
            )
    for kind in ("configure", "pause"):
        p50, p95 = pct(lat[kind], 0.5), pct(lat[kind], 0.95)
        rows.append(
            (f"{kind} latency p50 / p95 (ms)", f"{p50:.1f} / {p95:.1f}", "p95 <= 50", p95 <= 50)
        )
    targets = {32: 20, 64: 10}
    for n, clients in classes.items():
        fps = [c["fps"] for c in clients]
        goal = targets.get(n, 10)
        rows.append(
            (
                f"{n} clients at once: frames/s min / median",
                f"{min(fps):.1f} / {statistics.median(fps):.1f}",
                f">= {goal} each",
                min(fps) >= goal,
            )
        )
    ratio = fast["steps_per_s"] / bare["steps_per_s"]
    rows.append(
        (
            "steps/s streaming at top speed (1000/frame)",
            f"{fast['steps_per_s']:,.0f}",
            f"{ratio:.2f}x bare",
            None,
        )
    )
    rows.append(("bare engine steps/s (default session)", f"{bare['steps_per_s']:,.0f}", "", None))
    print_rows(rows, 16)
    save_results(
        "stream",
        {
            "cases": cases,
            "top_speed": fast,
            "latency_ms": lat,
            "classes": {str(n): c for n, c in classes.items()},
            "bare": bare,
        },
    )


if __name__ == "__main__":
    main()
