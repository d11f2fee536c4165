"""The speed control: TensorFlow Playground's pace by default, slow motion below 1."""

from __future__ import annotations

import time

from app.training.live.config import TrainingConfig
from tests.web.conftest import opened, until


def test_default_speed_trains_an_xor_epoch_or_more_a_frame():
    cfg = TrainingConfig()
    steps_per_epoch = 500 * cfg.train_fraction / cfg.batch_size
    assert cfg.dataset == "xor" and cfg.speed * 30 >= 0.8 * 55 * steps_per_epoch


def test_slow_motion_sends_one_step_per_frame_and_no_frame_between(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"speed": 0.05}})
        until(ws, "status", lambda s: s.get("config", {}).get("speed") == 0.05)
        first = until(ws, "frame", lambda f: f["state"] == "running")
        t0, steps = time.monotonic(), [first["step"]]
        while len(steps) < 4:
            f = until(ws, "frame")
            if f["state"] == "running":
                steps.append(f["step"])
        # 60 frames/s here: a step every 20 frames, each sent once (3 steps take ~1 s)
        assert all(b - a == 1 for a, b in zip(steps, steps[1:], strict=False)), steps
        assert time.monotonic() - t0 > 0.5


def test_speed_below_the_slowest_names_its_range(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"speed": 0.001}})
        error = until(ws, "error")
        assert error["field"] == "speed" and "0.03" in error["message"]
