"""Schedules and stopping over a real server: the frame's rate, a stop's status, bad parts."""

from __future__ import annotations

import json

import websockets

from tests.web.test_live import _next, run_in_thread


def test_a_stop_pauses_with_its_reason_and_play_goes_on(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "pause"}))
            await _next(ws, "frame", lambda f: f["state"] == "paused")
            # At the default speed the run may be past epoch 2 already: start it again.
            await ws.send(json.dumps({"type": "reset"}))
            await _next(ws, "frame", lambda f: f["step"] == 0 and f["state"] == "paused")
            config = {
                "learning_rate": 0.1,
                "lr_schedule": {"kind": "step", "every": 1, "gamma": 0.5},
                "stop_at": {"epochs": 2},
            }
            await ws.send(json.dumps({"type": "configure", "config": config}))
            status = await _next(ws, "status")
            assert status["config"]["lr_schedule"]["kind"] == "step"
            await ws.send(json.dumps({"type": "play"}))
            stop = await _next(ws, "status", lambda m: m.get("code") == "stopped")
            assert stop["state"] == "paused"
            assert stop["params"]["reason"] == "epochs" and stop["params"]["epoch"] == 2.0
            assert "stop_at.epochs" in stop["message"]
            frame = await _next(ws, "frame", lambda f: f["state"] == "paused")
            assert frame["epoch"] == 2.0
            assert frame["learning_rate"] == 0.1 * 0.5**2  # the rate in force at epoch 2
            await ws.send(json.dumps({"type": "play"}))
            frame = await _next(ws, "frame", lambda f: f["epoch"] > 3)
            assert frame["state"] == "running" and frame["learning_rate"] <= 0.1 * 0.5**3

    run_in_thread(scenario)


def test_a_step_run_stops_early_too(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "pause"}))
            await ws.send(json.dumps({"type": "reset"}))
            await _next(ws, "frame", lambda f: f["step"] == 0)
            config = {"stop_at": {"epochs": 1}}
            await ws.send(json.dumps({"type": "configure", "config": config}))
            await ws.send(json.dumps({"type": "step", "n": 500}))
            stop = await _next(ws, "status", lambda m: m.get("code") == "stopped")
            assert stop["params"]["step"] == 25  # 250 training points, batches of 10

    run_in_thread(scenario)


def test_a_bad_part_is_an_error_naming_it(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            hello = await _next(ws, "hello")
            fields = hello["catalogue"]["fields"]
            assert fields["lr_schedule"]["kind"] == "object"
            assert fields["lr_schedule"]["fields"]["kind"]["options"] == [
                "constant",
                "step",
                "exponential",
                "cosine",
            ]
            assert fields["early_stopping"]["fields"]["patience"]["min"] == 1
            bad = {"type": "configure", "config": {"lr_schedule": {"gamma": 0}}}
            await ws.send(json.dumps(bad))
            err = await _next(ws, "error")
            assert err["field"] == "lr_schedule.gamma" and "between 0 and 1" in err["message"]
            frame = await _next(ws, "frame", lambda f: f["state"] == "running")
            assert frame["learning_rate"] == 0.03

    run_in_thread(scenario)
