"""Against a real uvicorn on a loopback port, with a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time

import httpx
import websockets

from tests.live_server import start_app


def run_in_thread(scenario) -> None:
    """asyncio.run in a thread of its own: the browser tests' playwright (sync API) keeps an
    event loop on the main thread for the whole session."""
    errors: list[BaseException] = []

    def target():
        try:
            asyncio.run(scenario())
        except BaseException as e:  # re-raised in the test's thread
            errors.append(e)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "scenario did not finish in 60 s"


async def _next(ws, kind: str, where=lambda m: True, timeout: float = 10.0) -> dict:
    """The next message of type `kind` meeting `where`, within `timeout` seconds. Frames are
    skipped unparsed when not asked for (30 tabs stream 900 of them a second); an error
    first fails the test, unless `kind` is "error"."""
    deadline = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
        if kind != "frame" and raw.startswith('{"type":"frame"'):
            continue
        msg = json.loads(raw)
        assert msg["type"] != "error" or kind == "error", msg
        if msg["type"] == kind and where(msg):
            return msg


async def reconnect(url: str, tries: int = 100):
    """A socket to `url`, retrying every 0.2 s while no server answers there (as a page
    reconnects while a server or a worker restarts)."""
    for _ in range(tries):
        try:
            return await websockets.connect(url, max_size=None)
        except (OSError, websockets.InvalidHandshake, websockets.InvalidMessage):
            await asyncio.sleep(0.2)
    raise AssertionError(f"no connection to {url}")


def test_real_server_streams_frames_and_obeys_pause(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            hello = await _next(ws, "hello")
            assert hello["config"]["dataset"] == "xor"
            first = await _next(ws, "frame", lambda f: f["step"] > 0)
            later = await _next(ws, "frame", lambda f: f["step"] >= first["step"] + 200)
            assert later["train"]["loss"] < first["train"]["loss"]
            await ws.send(json.dumps({"type": "pause"}))
            paused = await _next(ws, "frame", lambda f: f["state"] == "paused")
            await asyncio.sleep(0.3)
            await ws.send(json.dumps({"type": "step", "n": 1}))
            stepped = await _next(ws, "frame", lambda f: f["state"] == "paused")
            assert stepped["step"] == paused["step"] + 1

    run_in_thread(scenario)


def test_closed_tab_ends_its_session_within_a_second(live_server_obj):
    sessions = live_server_obj.app.state.sessions

    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            sid = (await _next(ws, "hello"))["session"]
            await _next(ws, "frame", lambda f: f["step"] > 0)
            await ws.send(json.dumps({"type": "configure", "config": {"speed": 1000}}))
            await _next(ws, "status")
            runner = sessions[sid]
        t0 = time.monotonic()
        while sid in sessions and time.monotonic() - t0 < 1.0:
            await asyncio.sleep(0.01)
        assert sid not in sessions, "the session outlived its socket by a second"
        steps = runner.session.step
        await asyncio.sleep(0.3)
        assert runner.session.step == steps, "training went on after the tab closed"

    run_in_thread(scenario)


def test_real_server_serves_page_and_health(live_server):
    r = httpx.get(f"{live_server}/api/health")
    assert r.status_code == 200 and r.json()["ok"] is True
    assert httpx.get(f"{live_server}/").status_code == 200


def test_client_mistakes_leave_no_traceback_in_the_server_log():
    """`python -m app` as a user runs it: bad messages get errors, its log stays clean."""
    proc, port = start_app(stdout=subprocess.PIPE)
    try:

        async def scenario():
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
                await _next(ws, "hello")
                for text in (
                    "{not json",
                    json.dumps({"type": "fly"}),
                    json.dumps({"type": "configure", "config": {"hidden_layers": "many"}}),
                    json.dumps({"type": "trace", "example": 10**9}),
                    json.dumps({"type": "gradcheck", "param": "W9", "index": [0, 0]}),
                    json.dumps({"type": "predict", "image": [1.0] * 3}),
                    "x" * (70 * 1024),
                    "x" * (1024 * 1024),  # over the old 256 KiB transport limit: was a 1009
                    "[" * 1000 + "]" * 1000,
                    '{"type":"step","n":' + "9" * 4301 + "}",
                    b"\xff" * 10,
                ):
                    await ws.send(text)
                    err = await _next(ws, "error")
                    assert err["message"]
                await ws.send(json.dumps({"type": "step", "n": 3}))
                await _next(ws, "frame", lambda f: f["state"] == "paused")
            r = httpx.post(
                f"http://127.0.0.1:{port}/api/sessions/nope/upload",
                files={"file": ("a.csv", b"x,y\n1,2\n")},
            )
            assert r.status_code == 404

        run_in_thread(scenario)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert "Traceback" not in err and "Exception" not in err, err[-3000:]
    assert "Backprop Playground on" in out
