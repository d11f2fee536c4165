"""Run files from a hostile class: real saved runs, mutated, opened on a real server.

Each mutation changes one thing of a real run file (a value anywhere in its tree set to
junk, a key dropped, an array's zlib swapped for a bomb of up to 1 GiB, its shape or dtype
changed, data grown to 200,000 declared rows, counters of thousands of digits, deep nesting,
the text cut short) and opens it over REST (`/api/sessions/<id>/run`) or the socket (`load`,
when small). Every answer must be 200 or 400 `bad_run` (413 past the upload limit), and the
tab must answer a ping after each and still train at the end.

    python bench/fuzz_runs.py [--runs 300] [--seed 0]   (or through bench/fuzz.py --runs)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import sys
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stream import free_port, start_server  # noqa: E402

CSV = "a,b,c,label\n" + "".join(f"{i % 7},{i % 5 - 2},{(i * 3) % 11},{i % 2}\n" for i in range(90))
SOCKET_BYTES = 60 * 1024  # runs below this also go over the socket's `load`


def zeros_zlib(n_mib: int) -> bytes:
    """A zlib stream of n_mib MiB of zeros, built a MiB at a time (see tests/run_files.py)."""
    chunk = bytes(1 << 20)
    c = zlib.compressobj(9)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush()[:-4]
    adler = (((n_mib << 20) % 65521) << 16) | 1
    return head + block * (n_mib - 1) + end + adler.to_bytes(4, "big")


def junk(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["int", "bigint", "float", "str", "bool", "null", "neg"]
    if depth < 2:
        kinds += ["list", "dict"]
    k = rng.choice(kinds)
    if k == "int":
        return rng.randint(0, 10**6)
    if k == "neg":
        return -rng.randint(1, 10**9)
    if k == "bigint":
        return 10 ** rng.randint(15, 4000)
    if k == "float":
        return rng.choice([1e308, -1e308, 5e-324, 0.5, -0.0, 3.7, 1e300])
    if k == "str":
        return rng.choice(["", "zz", "0x" + "f" * 40, "1", "nan", "x" * 300, "\u4e2d"])
    if k == "bool":
        return rng.random() < 0.5
    if k == "null":
        return None
    if k == "list":
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["b64", "shape", "dtype", "x", "step"]): junk(rng, depth + 1)}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) in a JSON tree; long lists are sampled."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in list(enumerate(value))[:6]:
            out += paths(v, (*prefix, i))
    return out


def packed_paths(run: dict) -> list[tuple]:
    return [p[:-1] for p in paths(run) if p and p[-1] == "b64"]


def at(run: Any, path: tuple) -> Any:
    for p in path:
        run = run[p]
    return run


def mutate(run: dict, rng: random.Random) -> tuple[str, str]:
    """(kind of mutation, the file's text): one hostile change to a copy of `run`."""
    r = json.loads(json.dumps(run))
    kind = rng.choice(
        ["junk", "junk", "junk", "drop", "bomb", "shape", "dtype", "rows", "count", "deep", "cut"]
    )
    if kind == "junk":
        path = rng.choice(paths(r)[1:])
        at(r, path[:-1])[path[-1]] = junk(rng)
    elif kind == "drop":
        path = rng.choice([p for p in paths(r)[1:] if isinstance(at(r, p[:-1]), dict)])
        del at(r, path[:-1])[path[-1]]
    elif kind == "bomb":
        arr = at(r, rng.choice(packed_paths(r)))
        arr["b64"] = base64.b64encode(zeros_zlib(rng.choice([1, 8, 64, 1024]))).decode()
    elif kind == "shape":
        arr = at(r, rng.choice(packed_paths(r)))
        arr["shape"] = rng.choice([[200_000, 2], [10**9], [], [1, 1, 1, 1], [-1], [2**62, 2**62]])
    elif kind == "dtype":
        at(r, rng.choice(packed_paths(r)))["dtype"] = rng.choice(["<U8", "O", "<c16", ">f8", "|V8"])
    elif kind == "rows" and r.get("data"):
        for name in ("X_train", "raw_train"):
            if r["data"].get(name):
                r["data"][name]["shape"][0] = 200_000
        r["data"]["y_train"]["shape"] = [200_000]
    elif kind == "count":
        section, key = rng.choice(
            [
                ("counters", "step"),
                ("counters", "examples"),
                ("optimizer", "t"),
                ("batches", "cursor"),
            ]
        )
        r[section][key] = rng.choice([10**400, 10**4000, -1, 2**53, 2**63, True, 1.5])
    elif kind == "deep":
        r["config"]["x"] = json.loads("[" * 30 + "]" * 30)
    text = json.dumps(r)
    if kind == "cut":
        text = text[: rng.randint(1, len(text) - 1)]
    return kind, text


async def _until(ws, kind: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if msg["type"] == kind:
            return msg


async def seeds(ws, base: str, sid: str, client: httpx.AsyncClient) -> list[dict]:
    """Real run files: Adam on XOR, moons with a pin, an uploaded table."""
    out = []
    for config, upload in [
        ({"optimizer": "adam"}, False),
        ({"dataset": "moons", "hidden_layers": [8, 8], "optimizer": "momentum"}, False),
        ({}, True),
    ]:
        if upload:
            r = await client.post(
                f"{base}/api/sessions/{sid}/upload", files={"file": ("d.csv", CSV)}
            )
            r.raise_for_status()
        else:
            await ws.send(json.dumps({"type": "configure", "config": config}))
        await ws.send(json.dumps({"type": "step", "n": 25}))
        await ws.send(json.dumps({"type": "pin"}))
        await ws.send(json.dumps({"type": "export", "format": "run"}))
        out.append(json.loads((await _until(ws, "export"))["content"]))
    return out


async def fuzz_runs(base: str, url: str, n: int, seed: int) -> dict:
    """Open n mutated runs; returns counts of answers, failures and the socket's health."""
    rng = random.Random(seed)
    answers: Counter = Counter()
    bad: list[str] = []
    async with websockets.connect(url, max_size=None) as ws, httpx.AsyncClient(timeout=120) as c:
        sid = (await _until(ws, "hello"))["session"]
        runs = await seeds(ws, base, sid, c)
        for i in range(n):
            kind, text = mutate(rng.choice(runs), rng)
            if (
                len(text) < SOCKET_BYTES
                and rng.random() < 0.5
                and not text.startswith("[")
                and text.endswith("}")
            ):
                try:
                    msg = {"type": "load", "run": json.loads(text)}
                except ValueError:
                    continue
                await ws.send(json.dumps(msg))
                while True:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    if m["type"] == "error" or (
                        m["type"] == "status" and m.get("code") == "opened"
                    ):
                        break
                code = m.get("code") if m["type"] == "error" else "opened"
                answers[f"socket {code}"] += 1
                ok = code in ("bad_run", "opened", "invalid_json")  # too deep for a message
            else:
                files = {"file": ("run.json", text)}
                r = await c.post(f"{base}/api/sessions/{sid}/run", files=files)
                code = r.json().get("error", {}).get("code", "ok") if r.status_code != 200 else "ok"
                answers[f"REST {r.status_code} {code}"] += 1
                ok = (r.status_code, code) in ((200, "ok"), (400, "bad_run"), (413, "too_large"))
            if not ok:
                bad.append(f"#{i} {kind}: {code}")
            if code in ("ok", "opened"):  # an accepted run must train: one step, one frame
                await ws.send(json.dumps({"type": "step", "n": 2}))
                frame = await _until(ws, "frame")
                answers["accepted, then stepped"] += frame["type"] == "frame"
            await ws.send(json.dumps({"type": "ping", "id": i}))
            await _until(ws, "pong")
        await ws.send(json.dumps({"type": "play"}))
        first = (await _until(ws, "frame"))["step"]
        while (await _until(ws, "frame"))["step"] <= first:
            pass
    return {"answers": answers, "bad": bad, "plays": True}


def peak_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port, 1)
    try:
        t = time.perf_counter()
        base, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
        out = asyncio.run(fuzz_runs(base, url, args.runs, args.seed))
        took = time.perf_counter() - t
        print(f"server peak RSS {peak_mib(proc.pid):.0f} MiB (bombs of up to 1 GiB included)")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    report(out, args.runs, took, err.decode(errors="replace"))


def report(out: dict, n: int, took: float, log: str) -> None:
    print(f"run files: {n} mutated runs opened in {took:.0f} s; the tab trained on after them")
    for answer, count in sorted(out["answers"].items()):
        print(f"  {answer}: {count}")
    print(f"  wrong answers: {len(out['bad'])} {out['bad'][:5]}")
    print(f"  tracebacks in the server's log: {log.count('Traceback')}")


if __name__ == "__main__":
    main()
