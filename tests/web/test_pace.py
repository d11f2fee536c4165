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


def test_a_small_plane_the_page_draws_gets_twice_the_frames_with_half_the_steps():
    # Base rate 30/s: frames of the page's plane come at 60/s with 25 steps each (speed 50),
    # the same steps a second; a plane the server draws keeps 30/s and 50 steps.
    from fastapi.testclient import TestClient

    from app.web.app import create_app
    from app.web.settings import Settings

    def steps_per_frame(ws, enough) -> list[int]:
        """Steps between running frames, until `enough` of them says what the pace is. (A
        frame whose steps a busy machine cut short keeps the base rate for the next one,
        which then owes 50: so only an on-time frame shows the 60/s pace.)"""
        opened(ws)
        until(ws, "frame", lambda f: f["state"] == "running")  # the first, at the base rate
        steps = [until(ws, "frame", lambda f: f["state"] == "running")["step"]]
        while len(steps) < 40:
            f = until(ws, "frame")
            if f["state"] == "running":
                steps.append(f["step"])
                diffs = [b - a for a, b in zip(steps, steps[1:], strict=False)]
                if enough(diffs):
                    break
        return diffs

    with TestClient(create_app(Settings(frame_rate=30))) as client:
        with client.websocket_connect("/ws?plane=page") as ws:
            diffs = steps_per_frame(ws, lambda d: 25 in d and len(d) >= 4)
            assert 25 in diffs and max(diffs) <= 50, diffs
        with client.websocket_connect("/ws") as ws:
            diffs = steps_per_frame(ws, lambda d: len(d) >= 8)
            assert max(set(diffs), key=diffs.count) == 50, diffs  # most frames: 50 steps


def test_frame_period_doubles_the_rate_only_for_page_planes_in_a_quiet_process():
    from app.web.pace import CROWD_MAX, frame_period, light, steps_owed

    def frame(widths, grads=False):
        sizes = [2, *widths, 2]
        layers = [
            {"fan_in": a, "fan_out": b, "dW": [[0.0] * b] * a if grads else None}
            for a, b in zip(sizes, sizes[1:], strict=False)
        ]
        return {"plane_by": "page", "layers": layers}

    assert light(frame([4, 4])) and light(frame([8, 8], grads=False))
    assert not light(frame([8] * 6))  # spiral 6 x 8: its frames would pass 64 KB/s at 60/s
    assert not light({**frame([4, 4]), "plane_by": "server"})

    assert frame_period(30, True, 1) == 1 / 60
    assert frame_period(30, False, 1) == 1 / 30  # the server draws the plane
    assert frame_period(30, True, CROWD_MAX + 1) == 1 / 30  # a crowded process
    assert frame_period(60, True, 1) == 1 / 60  # never past a display's refresh
    assert frame_period(30, True, 1, behind=True) == 1 / 30  # top speed: time for training
    assert steps_owed(50, 30, 1 / 60) == 25
    assert abs(steps_owed(0.03, 30, 1 / 30) - 0.03) < 1e-12
