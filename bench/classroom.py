"""Teacher-mode benchmark: a real `python -m app` on loopback, a teacher page's socket and a
class of student sockets that read all the time, as pages do.

Prints, each beside its target:
- the roster: bytes per student per second (<= 2 KB/s), measured over several rosters;
- push -> every student's `status`: median and max over repeated pushes (<= 1 s), with the
  spread across repeats.

    python bench/classroom.py [--students 30] [--pushes 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stream import free_port, start_server  # noqa: E402


class Tab:
    """A student page: reads its socket all the time; keeps when each status came."""

    def __init__(self, ws):
        self.ws = ws
        self.statuses: list[tuple[float, dict]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            if raw.startswith('{"type":"status"'):
                self.statuses.append((time.monotonic(), json.loads(raw)))


async def until(ws, kind: str) -> dict:
    while True:
        msg = json.loads(await ws.recv())
        if msg["type"] in (kind, "error"):
            assert msg["type"] == kind, msg
            return msg


async def run(port: int, n_students: int, n_pushes: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws"
    async with websockets.connect(f"{url}?teach=1&class=K7Q2", max_size=None) as teacher:
        await until(teacher, "hello")
        await teacher.send(json.dumps({"type": "class_open", "code": "K7Q2"}))
        opened = await until(teacher, "class")
        code, key = opened["code"], opened["key"]
        tabs = []
        for i in range(n_students):
            ws = await websockets.connect(f"{url}?class={code}", max_size=None)
            await until(ws, "hello")
            await ws.send(json.dumps({"type": "class_join", "code": code, "name": f"S{i:02d}"}))
            await until(ws, "class_joined")
            tabs.append(Tab(ws))

        # The roster, over 5 of them once the class is complete.
        sizes, times = [], []
        while len(sizes) < 6:
            raw = await teacher.recv()
            msg = json.loads(raw)
            if msg["type"] == "roster" and len(msg["students"]) == n_students:
                sizes.append(len(raw.encode()))
                times.append(time.monotonic())
        per_s = sum(sizes[1:]) / (times[-1] - times[0]) / n_students
        print(
            f"roster: {statistics.median(sizes) / n_students:.0f} B a student a roster, "
            f"{per_s:.0f} B/s a student over {len(sizes) - 1} rosters   (target <= 2048 B/s)"
        )

        # Push -> every student's status, alternating two rates.
        medians, maxima = [], []
        for k in range(n_pushes):
            rate = 0.1 if k % 2 else 0.3
            for tab in tabs:
                tab.statuses.clear()
            t0 = time.monotonic()
            await teacher.send(
                json.dumps({"type": "class_push", "key": key, "config": {"learning_rate": rate}})
            )
            arrivals = []
            for tab in tabs:
                while True:
                    hit = [t for t, m in tab.statuses if m["config"]["learning_rate"] == rate]
                    if hit:
                        arrivals.append(hit[0] - t0)
                        break
                    await asyncio.sleep(0.005)
            medians.append(statistics.median(arrivals))
            maxima.append(max(arrivals))
            await asyncio.sleep(0.5)
        print(
            f"push -> status ({n_students} students, {n_pushes} pushes): median of medians "
            f"{1000 * statistics.median(medians):.0f} ms, median max "
            f"{1000 * statistics.median(maxima):.0f} ms, worst {1000 * max(maxima):.0f} ms, "
            f"spread of maxima {1000 * (max(maxima) - min(maxima)):.0f} ms   (target <= 1000 ms)"
        )
        for tab in tabs:
            tab.task.cancel()
            await tab.ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--pushes", type=int, default=6)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port, 1, max_sessions=args.students + 4)
    try:
        asyncio.run(run(port, args.students, args.pushes))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
