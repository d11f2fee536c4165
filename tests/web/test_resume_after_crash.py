"""Runs survive: a real server killed with SIGKILL (its worker, or the whole server) and
started again; the tab reconnects with its session id and gets its run back, at most about
2 s of training lost."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from websockets.sync.client import connect

from tests.live_server import start_app, stop_app

LOST_S = 2.0 + 1.0  # the checkpoint period, and a second for a loaded machine


def _hello(port: int, sid: str | None = None, timeout: float = 60) -> tuple[object, dict]:
    """A socket to the server (retrying while it starts) and its hello."""
    deadline = time.monotonic() + timeout
    path = f"/ws?session={sid}" if sid else "/ws"
    while True:
        try:
            ws = connect(f"ws://127.0.0.1:{port}{path}", open_timeout=10).__enter__()
            while (msg := json.loads(ws.recv(timeout=30)))["type"] != "hello":
                pass
            return ws, msg
        except (OSError, TimeoutError, EOFError) as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"no hello: {e}") from None
            time.sleep(0.2)


def _train(ws, seconds: float) -> list[tuple[float, int]]:
    """(time, step) of every frame for `seconds` while the tab plays."""
    seen = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = json.loads(ws.recv(timeout=30))
        if msg["type"] == "frame":
            seen.append((time.monotonic(), msg["step"]))
    return seen


def _lost_at_most(seen: list[tuple[float, int]], killed: float, resumed: int) -> None:
    """The resumed step is at least the one the tab saw LOST_S before the kill."""
    floor = max(step for t, step in seen if t <= killed - LOST_S)
    assert resumed >= floor, f"resumed at {resumed}; the tab saw {floor} {LOST_S} s before"
    assert resumed > 0


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out.extend(int(c) for c in text)
    return out


def test_a_restarted_server_gives_the_tab_its_run_back(tmp_path):
    env = {**os.environ, "BP_STATE_DIR": str(tmp_path)}
    proc, port = start_app(args=("--workers", "1"), env=env)
    try:
        ws, hello = _hello(port)
        sid = hello["session"]
        ws.send(json.dumps({"type": "configure", "config": {"speed": 5, "learning_rate": 0.1}}))
        ws.send(json.dumps({"type": "pin"}))
        seen = _train(ws, 6.0)
        killed = time.monotonic()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        ws.close()
        proc, _ = start_app(args=("--workers", "1"), env=env, port=port)
        ws, hello = _hello(port, sid)
        assert hello["session"] == sid and hello["resumed"], hello
        _lost_at_most(seen, killed, hello["resumed"]["step"])
        assert hello["config"]["learning_rate"] == 0.1
        steps, pins = [], None
        while len(steps) < 5:
            msg = json.loads(ws.recv(timeout=30))
            if msg["type"] == "frame":
                steps.append(msg["step"])
            elif msg["type"] == "pins":
                pins = msg["pins"]
        assert steps[0] == hello["resumed"]["step"] and steps[-1] > steps[0], steps  # plays on
        assert pins is not None and len(pins) == 1
        ws.close()
    finally:
        err = stop_app(proc)
    assert "Traceback" not in err, err[-3000:]


def test_a_killed_worker_does_not_take_the_run_with_it(tmp_path):
    env = {**os.environ, "BP_STATE_DIR": str(tmp_path)}
    proc, port = start_app(args=("--workers", "2"), env=env)
    try:
        ws, hello = _hello(port)
        sid = hello["session"]
        seen = _train(ws, 5.0)
        killed = time.monotonic()
        for pid in _children(proc.pid):  # every worker: whichever held the session
            os.kill(pid, signal.SIGKILL)
        ws.close()
        time.sleep(0.5)
        ws, hello = _hello(port, sid)
        assert hello["session"] == sid and hello["resumed"], hello
        _lost_at_most(seen, killed, hello["resumed"]["step"])
        ws.close()
        assert proc.poll() is None  # the server lives on, with new workers
    finally:
        proc.terminate()
        proc.wait(15)
