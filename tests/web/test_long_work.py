"""Long work is interruptible: `step n` runs in slices, reports progress, and stops for pause,
reset, a closed tab or SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal

import websockets

from tests.live_server import start_app
from tests.web.conftest import opened, until
from tests.web.test_live import _next, run_in_thread

BIG = {"hidden_layers": [64, 64, 64], "batch_size": 200}


def paused_at_zero(ws) -> None:
    """Pause, then rebuild as a bigger network: its step-0 frame."""
    ws.send_json({"type": "pause"})
    until(ws, "frame", lambda f: f["state"] == "paused")
    ws.send_json({"type": "configure", "config": BIG})
    until(ws, "status", lambda s: s.get("rebuilt") is True)
    assert until(ws, "frame")["step"] == 0


def test_a_long_step_shows_progress_and_pause_ends_it(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        paused_at_zero(ws)
        ws.send_json({"type": "step", "n": 10_000})
        progress = until(ws, "frame", lambda f: f["state"] == "stepping")
        assert progress["boundary"] is None and progress["train"]["loss"] is not None
        ws.send_json({"type": "pause"})
        status = until(ws, "status")
        assert status["state"] == "paused"
        final = until(ws, "frame", lambda f: f["state"] == "paused")
        assert progress["step"] <= final["step"] < 10_000
        ws.send_json({"type": "ping", "id": 1})
        rest = []
        while (msg := ws.receive_json())["type"] != "pong":
            rest.append(msg)
        assert not [m for m in rest if m["type"] == "frame"], "the step went on after pause"


def test_reset_ends_a_long_step_with_a_step_zero_frame(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        paused_at_zero(ws)
        ws.send_json({"type": "step", "n": 10_000})
        until(ws, "frame", lambda f: f["state"] == "stepping")
        ws.send_json({"type": "reset"})
        status = until(ws, "status", lambda s: s.get("rebuilt") is True)
        assert status["state"] == "paused"
        frame = until(ws, "frame")
        assert frame["step"] == 0 and frame["state"] == "paused"


def test_steps_asked_for_while_stepping_add_up(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "pause"})
        start = until(ws, "frame", lambda f: f["state"] == "paused")["step"]
        for _ in range(3):
            ws.send_json({"type": "step", "n": 50})
        final = until(ws, "frame", lambda f: f["step"] >= start + 150)
        assert final["step"] == start + 150 and final["state"] == "paused"


def test_a_live_change_applies_between_slices_and_the_step_goes_on(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        paused_at_zero(ws)
        ws.send_json({"type": "step", "n": 600})
        ws.send_json({"type": "configure", "config": {"learning_rate": 0.1}})
        status = until(ws, "status", lambda s: "changed" in s)
        assert status["changed"] == ["learning_rate"] and status["state"] == "stepping"
        final = until(ws, "frame", lambda f: f["state"] == "paused")
        assert final["step"] == 600 and final["learning_rate"] == 0.1


def test_a_closed_tab_stops_its_long_step(live_server_obj):
    sessions = live_server_obj.app.state.sessions

    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            sid = (await _next(ws, "hello"))["session"]
            await ws.send(json.dumps({"type": "configure", "config": BIG}))
            await ws.send(json.dumps({"type": "step", "n": 10_000}))
            await _next(ws, "frame", lambda f: f["state"] == "stepping")
            runner = sessions[sid]
        while sid in sessions:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the slice under way ends at its next step
        steps = runner.session.step
        await asyncio.sleep(0.3)
        assert runner.session.step == steps < 10_000, "training went on after the tab closed"

    run_in_thread(scenario)


def test_sigterm_stops_a_server_in_the_middle_of_a_long_step():
    proc, port = start_app()
    try:

        async def scenario():
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
                await ws.send(json.dumps({"type": "configure", "config": BIG}))
                await ws.send(json.dumps({"type": "step", "n": 10_000}))
                await _next(ws, "frame", lambda f: f["state"] == "stepping")
                proc.send_signal(signal.SIGTERM)
                # A 10,000-step run takes minutes: ending now means the signal stopped it.
                await asyncio.to_thread(proc.wait, 30)

        run_in_thread(scenario)
        assert proc.returncode == -signal.SIGTERM or proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err, err[-3000:]


def test_a_dead_network_gets_a_status_saying_what_to_try(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "pause"})
        until(ws, "frame", lambda f: f["state"] == "paused")
        relu = {"activation": "relu", "learning_rate": 3.0, "init": "he_normal"}
        ws.send_json({"type": "configure", "config": relu})
        until(ws, "status", lambda s: s.get("rebuilt") is True)
        ws.send_json({"type": "step", "n": 600})
        status = until(ws, "status", lambda s: s.get("code") == "dead_layer")
        assert status["params"]["layer"] == 2
        assert "Leaky ReLU" in status["message"] and "Reset" in status["message"]
