"""The frame budget over the socket: neuron maps at the drawn size, big networks keep streaming."""

from __future__ import annotations

import json

from app.training.frames.encode import decode_grid
from tests.web.conftest import opened, until


def test_view_sets_the_size_neuron_maps_are_sent_at(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "view", "neuron_px": 10})
        frame = until(ws, "frame", lambda f: f["neurons"] is not None and f["step"] > 20)
        assert decode_grid(frame["neurons"][0][0]).shape == (10, 10)
        ws.send_json({"type": "view", "neuron_px": 200})
        error = until(ws, "error")
        assert error["field"] == "neuron_px" and "64" in error["message"]


def test_the_largest_network_streams_frames_with_numbers_under_64_kb(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        big = {"dataset": "spiral", "hidden_layers": [256] * 8, "activation": "relu"}
        ws.send_json({"type": "configure", "config": {**big, "speed": 1000}})
        until(ws, "status", lambda s: s.get("rebuilt"))
        first = until(ws, "frame", lambda f: f["state"] == "running" and f["step"] > 0)
        for _ in range(5):
            text = ws.receive_text()
            msg = json.loads(text)
            if msg["type"] != "frame":
                continue
            assert len(text) <= 64 * 1024
            assert msg["train"]["loss"] is not None and msg["test"]["accuracy"] is not None
        # A frame is due every period whatever the speed: 1000 steps of 8x256 are not waited for.
        assert msg["step"] - first["step"] < 1000 * 5
        ws.send_json({"type": "pause"})
        paused = until(ws, "frame", lambda f: f["state"] == "paused")
        assert paused["boundary"]["resolution"] == paused["boundary"]["full_resolution"] == 100
