"""The `landscape` message over a real server: the grid and path, bounds, slices."""

from __future__ import annotations

import json

import websockets

from tests.web.test_live import _next, run_in_thread


def test_landscape_answers_the_grid_and_the_path(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            await _next(ws, "hello")
            await _next(ws, "frame", lambda f: f["step"] >= 50)
            await ws.send(json.dumps({"type": "pause"}))
            paused = await _next(ws, "frame", lambda f: f["state"] == "paused")
            await ws.send(json.dumps({"type": "landscape", "resolution": 9, "span": 2.0}))
            msg = await _next(ws, "landscape")
            assert msg["step"] == paused["step"] and msg["resolution"] == 9
            assert msg["alpha"][0] == -2.0 and msg["beta"][-1] == 2.0
            assert len(msg["loss"]) == 9 and all(len(row) == 9 for row in msg["loss"])
            assert (
                abs(msg["loss"][4][4] - paused["train"]["loss"]) <= 1e-3 * paused["train"]["loss"]
            )
            path = msg["path"]
            assert path["step"][0] == 0 and path["step"][-1] == paused["step"]
            assert len(path["alpha"]) == len(path["beta"]) == len(path["step"])

    run_in_thread(scenario)


def test_bad_resolution_or_span_is_an_error_naming_it(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "landscape", "resolution": 4}))
            err = await _next(ws, "error")
            assert err["field"] == "resolution" and "between 5 and 41" in err["message"]
            await ws.send(json.dumps({"type": "landscape", "span": 9}))
            err = await _next(ws, "error")
            assert err["field"] == "span" and "between 0.1 and 5" in err["message"]
            frame = await _next(ws, "frame", lambda f: f["step"] > 10)
            assert frame["state"] == "running"  # the session goes on

    run_in_thread(scenario)


def test_messages_are_answered_while_a_big_landscape_computes(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "configure", "config": {"dataset": "mnist"}}))
            await _next(ws, "status", lambda m: m.get("rebuilt"))
            # 41 x 41 losses over 500 digits: seconds of work, in slices.
            await ws.send(json.dumps({"type": "landscape", "resolution": 41, "span": 1.0}))
            await ws.send(json.dumps({"type": "pause"}))
            seen = []
            while True:
                msg = json.loads(await ws.recv())
                seen.append(msg["type"])
                if msg["type"] == "status" and msg["state"] == "paused":
                    break
            assert "landscape" not in seen
            await ws.send(json.dumps({"type": "ping", "id": 7}))
            pong = await _next(ws, "pong")
            assert pong["id"] == 7
            progress = await _next(ws, "landscape_progress", timeout=30)
            assert 0 < progress["done"] < progress["total"] == 41 * 41
            # A newer request replaces the big one: its small answer comes, not the big one.
            await ws.send(json.dumps({"type": "landscape", "resolution": 5}))
            msg = await _next(ws, "landscape", timeout=60)
            assert msg["resolution"] == 5

    run_in_thread(scenario)
