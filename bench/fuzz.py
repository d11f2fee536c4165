"""Hardening benchmark: a careless and a hostile user against a real `python -m app`.

Sends >= 10,000 adversarial WebSocket messages (bad JSON, deep nesting, 5,000-digit numbers,
invalid UTF-8, messages of 1 MiB, strings for numbers, NaN/Infinity, unknown types and
fields, mutated valid messages), runs 200 connect/abort cycles, long steps at 8x256 batch 250
(answer latency while one runs, CPU after the tab closes, SIGTERM while one runs), the upload
cases, the Host check and 300 mutated run files (bench/fuzz_runs.py). Prints crashes,
tracebacks in the server's log, sessions lost, RSS
before/after, and the latencies against the targets (p95 <= 100 ms answer, CPU free within
1 s of a close, exit within 2 s of SIGTERM).

    python bench/fuzz.py [--messages 10000] [--cycles 200]   (one worker process: its RSS and CPU)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_runs import fuzz_runs  # noqa: E402
from fuzz_runs import report as report_runs  # noqa: E402
from stream import free_port, start_server  # noqa: E402

TYPES = [
    "configure",
    "play",
    "pause",
    "step",
    "reset",
    "trace",
    "gradcheck",
    "predict",
    "add_point",
    "remove_point",
    "ping",
    "export",
    "fly",
    "",
    None,
    7,
]
FIELDS = [
    "n",
    "x",
    "y",
    "label",
    "point",
    "image",
    "example",
    "split",
    "param",
    "index",
    "config",
    "id",
    "format",
    "type",
    "extra",
]
CONFIG_KEYS = [
    "learning_rate",
    "noise",
    "batch_size",
    "hidden_layers",
    "activation",
    "dataset",
    "seed",
    "speed",
    "features",
    "l2",
    "dtype",
    "colour",
]
BIG = {"hidden_layers": [256] * 8, "batch_size": 250}


def junk(rng: random.Random, depth: int = 0):
    """A random JSON-ish value, biased to what breaks parsers and validators."""
    kinds = ["int", "bigint", "float", "nan", "str", "numstr", "bool", "null"]
    if depth < 3:
        kinds += ["list", "dict"]
    k = rng.choice(kinds)
    if k == "int":
        return rng.randint(-(10**6), 10**6)
    if k == "bigint":
        return 10 ** rng.randint(15, 400)
    if k == "float":
        return rng.choice([1e308, -1e308, 5e-324, 0.5, -0.0, 1e6 + 1, 3.7])
    if k == "nan":
        return rng.choice([float("nan"), float("inf"), float("-inf")])
    if k == "str":
        return "".join(rng.choice('ab\u00e9\u4e2d\ud7ff"\\{[') for _ in range(rng.randint(0, 30)))
    if k == "numstr":
        return str(rng.choice([1, 0.5, 1e9, -3]))
    if k == "bool":
        return rng.random() < 0.5
    if k == "null":
        return None
    if k == "list":
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {
        rng.choice(FIELDS + CONFIG_KEYS): junk(rng, depth + 1) for _ in range(rng.randint(0, 4))
    }


def adversarial(rng: random.Random) -> str | bytes:
    """One hostile frame."""
    r = rng.random()
    if r < 0.04:
        return "[" * rng.randint(900, 100_000) + "]" * 10
    if r < 0.08:
        return '{"type":"step","n":' + "9" * rng.randint(4301, 20_000) + "}"
    if r < 0.11:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))
    if r < 0.12:
        return "x" * rng.choice([70 * 1024, 300 * 1024, 1024 * 1024])
    if r < 0.16:
        return "".join(
            rng.choice('{}[]":,0123456789.eEtruefalsn ') for _ in range(rng.randint(1, 80))
        )
    if r < 0.40:
        config = {rng.choice(CONFIG_KEYS): junk(rng) for _ in range(rng.randint(1, 3))}
        return json.dumps({"type": "configure", "config": config})
    msg = {"type": rng.choice(TYPES)}
    for _ in range(rng.randint(0, 3)):
        msg[rng.choice(FIELDS)] = junk(rng)
    if msg.get("type") == "step" and isinstance(msg.get("n"), int) and msg["n"] > 200:
        msg["n"] = 200  # long steps are measured below, not here
    return json.dumps(msg)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def until(ws, kind: str, where=lambda m: True, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if msg.get("type") == kind and where(msg):
            return msg


async def fuzz(url: str, n: int, seed: int) -> dict:
    """n hostile messages over a few sessions; each is followed by a ping, so every one is
    known to have been read before the next is sent."""
    rng, lost, errors, replies, sent = random.Random(seed), 0, 0, 0, 0
    per_conn = 1000
    while sent < n:
        try:
            async with websockets.connect(url, max_size=2**24) as ws:
                await until(ws, "hello")
                await ws.send(json.dumps({"type": "pause"}))
                for _ in range(min(per_conn, n - sent)):
                    await ws.send(adversarial(rng))
                    sent += 1
                    await ws.send(json.dumps({"type": "ping", "id": sent}))
                    while True:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 60))
                        replies += 1
                        errors += msg.get("type") == "error"
                        if msg.get("type") == "pong" and msg.get("id") == sent:
                            break
                for after in ({"type": "pause"}, {"type": "reset"}, {"type": "step", "n": 1}):
                    await ws.send(json.dumps(after))
                await until(ws, "frame", lambda f: f["state"] == "paused" and f["step"] == 1)
        except (websockets.ConnectionClosed, asyncio.TimeoutError, OSError):
            lost += 1
    return {"sent": sent, "errors": errors, "replies": replies, "lost": lost}


async def cycles(url: str, n: int) -> int:
    """Connect, read the greeting, then drop the TCP connection without a close frame (or
    close it properly, every other time). Returns connections that failed."""
    failed = 0
    for i in range(n):
        try:
            ws = await websockets.connect(url, max_size=2**24)
            await until(ws, "hello")
            if i % 2:
                ws.transport.abort()
            else:
                await ws.close()
        except Exception:
            failed += 1
    return failed


async def sessions(base: str, client: httpx.AsyncClient | None = None) -> int:
    if client is None:
        async with httpx.AsyncClient() as c:
            return await sessions(base, c)
    return (await client.get(f"{base}/api/health")).json()["sessions"]


async def long_step(url: str, base: str, pid: int) -> dict:
    """8x256, batch 250, step 10,000: how fast are pings and a pause answered, and how long
    until a closed tab's CPU is free (beside the CPU an idle server uses in 1 s)."""
    c0 = cpu_seconds(pid)
    await asyncio.sleep(1.0)
    idle = cpu_seconds(pid) - c0
    http = httpx.AsyncClient()
    async with websockets.connect(url, max_size=2**24) as ws:
        await until(ws, "hello")
        await ws.send(json.dumps({"type": "pause"}))
        await ws.send(json.dumps({"type": "configure", "config": BIG}))
        await until(ws, "frame", lambda f: f["step"] == 0)
        await ws.send(json.dumps({"type": "step", "n": 10_000}))
        await until(ws, "frame", lambda f: f["state"] == "stepping")
        pings = []
        for i in range(20):
            t = time.perf_counter()
            await ws.send(json.dumps({"type": "ping", "id": i}))
            await until(ws, "pong", lambda m, i=i: m["id"] == i)
            pings.append(time.perf_counter() - t)
            await asyncio.sleep(0.05)
        t = time.perf_counter()
        await ws.send(json.dumps({"type": "pause"}))
        await until(ws, "status")
        pause = time.perf_counter() - t
        await until(ws, "frame", lambda f: f["state"] == "paused")
        configure = []
        await ws.send(json.dumps({"type": "step", "n": 10_000}))
        for lr in (0.01, 0.02, 0.03, 0.04, 0.05):
            t = time.perf_counter()
            await ws.send(json.dumps({"type": "configure", "config": {"learning_rate": lr}}))
            await until(ws, "status", lambda s: "changed" in s)
            configure.append(time.perf_counter() - t)
        await asyncio.sleep(0.5)
    closed = time.perf_counter()
    while await sessions(base, http) and time.perf_counter() - closed < 10:
        await asyncio.sleep(0.01)
    gone = time.perf_counter() - closed
    await http.aclose()
    await asyncio.sleep(max(0.0, 1.0 - gone))
    c0 = cpu_seconds(pid)
    await asyncio.sleep(1.0)
    return {
        "pings": pings,
        "pause": pause,
        "configure": configure,
        "gone": gone,
        "cpu_after": cpu_seconds(pid) - c0,
        "cpu_idle": idle,
    }


def uploads(base: str, url: str) -> list[tuple[str, str]]:
    """The upload cases: (case, what came back)."""

    async def with_session(fn):
        async with websockets.connect(url, max_size=2**24) as ws:
            sid = (await until(ws, "hello"))["session"]
            return await asyncio.to_thread(fn, sid)

    def post(sid, **kw):
        t = time.perf_counter()
        r = httpx.post(f"{base}/api/sessions/{sid}/upload", timeout=60, **kw)
        err = r.json().get("error", {})
        ms = (time.perf_counter() - t) * 1000
        return f"{r.status_code} {err.get('code', 'ok')} {err.get('field') or ''} ({ms:.0f} ms)"

    sent = [0]

    def fifty():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(50):
            sent[0] += 2**20
            yield b"1" * 2**20

    huge = "a,b,label\n" + "\n".join(f"{i},{1e308 if i % 2 else -1e308},{i % 2}" for i in range(40))
    cases = [
        (
            "50 MB body, chunked",
            lambda s: post(
                s, content=fifty(), headers={"content-type": "multipart/form-data; boundary=b"}
            ),
        ),
        ("1e308 cells", lambda s: post(s, files={"file": ("a.csv", huge)})),
        ("no file part", lambda s: post(s, data={"label_column": "y"})),
        (
            "not a form",
            lambda s: post(
                s, content=b"hello", headers={"content-type": "multipart/form-data; boundary=z"}
            ),
        ),
        ("binary junk", lambda s: post(s, files={"file": ("a.csv", os.urandom(4096))})),
        ("unknown session", lambda s: post("nope", files={"file": ("a.csv", "a,b\n1,2\n")})),
    ]
    out = []
    for name, fn in cases:
        out.append((name, asyncio.run(with_session(fn))))
    out[0] = (out[0][0], out[0][1] + f", {sent[0] / 2**20:.0f} MB of 50 sent")
    return out


def sigterm(port: int) -> float:
    """Seconds from SIGTERM to exit, with a 10,000-step run at 8x256 under way."""
    proc = start_server(port, 1)

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=2**24) as ws:
            await ws.send(json.dumps({"type": "configure", "config": BIG}))
            await ws.send(json.dumps({"type": "step", "n": 10_000}))
            await until(ws, "frame", lambda f: f["state"] == "stepping")
            t = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(proc.wait, 30)
            return time.perf_counter() - t

    try:
        return asyncio.run(go())
    finally:
        if proc.poll() is None:
            proc.kill()


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[q - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--runs", type=int, default=300, help="mutated run files to open")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port, 1)
    base, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        rss0 = rss_mb(proc.pid)
        t = time.perf_counter()
        f = asyncio.run(fuzz(url, args.messages, args.seed))
        print(
            f"fuzz: {f['sent']:,} messages in {time.perf_counter() - t:.0f} s, "
            f"{f['errors']:,} errors answered, sessions lost {f['lost']}"
        )
        failed = asyncio.run(cycles(url, args.cycles))
        time.sleep(1.0)
        left = asyncio.run(sessions(base))
        print(
            f"connect/abort: {args.cycles} cycles, {failed} failed, sessions left after 1 s: {left}"
        )
        rss1 = rss_mb(proc.pid)
        ls = asyncio.run(long_step(url, base, proc.pid))
        h = httpx.get(f"{base}/api/health", headers={"host": "evil.example"})
        up = uploads(base, url)
        t = time.perf_counter()
        runs = asyncio.run(fuzz_runs(base, url, args.runs, args.seed))
        runs_s = time.perf_counter() - t
        rss2 = rss_mb(proc.pid)
        alive = proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    err = err.decode(errors="replace")
    stop = sigterm(free_port())
    p, c = [x * 1000 for x in ls["pings"]], [x * 1000 for x in ls["configure"]]
    print(
        f"long step 8x256 batch 250: ping p50/p95 {pct(p, 50):.0f}/{pct(p, 95):.0f} ms "
        f"(target p95 <= 100 ms), pause answered in {ls['pause'] * 1000:.0f} ms, "
        f"live configure p50/max {pct(c, 50):.0f}/{max(c):.0f} ms"
    )
    print(
        f"closed tab: session gone in {ls['gone'] * 1000:.0f} ms; server CPU from 1 s to 2 s "
        f"after the close: {ls['cpu_after'] * 1000:.0f} ms, idle server: "
        f"{ls['cpu_idle'] * 1000:.0f} ms per s (target: free within 1 s)"
    )
    print(f"SIGTERM during a long step: exit in {stop:.2f} s (target <= 2 s)")
    print(f"Host evil.example: {h.status_code} {h.json()['error']['code']}")
    for name, what in up:
        print(f"upload, {name}: {what}")
    report_runs(runs, args.runs, runs_s, "")
    print(f"RSS {rss0:.0f} MB at start, {rss1:.0f} MB after fuzz + cycles, {rss2:.0f} MB at end")
    crashed = "no" if alive else "YES"
    print(f"server crashed: {crashed}; tracebacks in its log: {err.count('Traceback')}")
    if "Traceback" in err:
        print(err[err.index("Traceback") :][:3000])


if __name__ == "__main__":
    main()
