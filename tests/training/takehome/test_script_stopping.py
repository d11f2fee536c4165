"""The exported script stops where the session stops: stop_at (epochs, loss, accuracy) and
early stopping, exported before the stop, after one fired, and with a schedule and surgery.
Each script runs in a subprocess with Python, as a learner would run it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.training.live import surgery
from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from app.training.takehome.script import export_script
from tests.training.takehome.test_script_export import LINE, TOL, page_figures


def run(path, *args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return out.stdout.strip().splitlines()


def assert_stops_alike(s: TrainingSession, tmp_path, steps: int = 3000) -> list[str]:
    """Export s, let the session run until it stops, and the script likewise."""
    path = tmp_path / "run.py"
    path.write_text(export_script(s))
    start = s.step
    s.resume()  # as play does after a stop
    taken = s.advance(steps)
    assert s.stopped is not None and taken < steps, "the session should stop by itself"
    lines = run(path, "--steps", str(steps))
    step, loss, score = LINE.match(lines[-1]).groups()
    want_step, want_loss, want_score = page_figures(s)
    assert lines[-2].startswith(f"Stopped at step {s.step}: "), lines[-2:]
    assert int(step) == want_step == start + taken
    tol = TOL[s.config.dtype]
    assert float(loss) == pytest.approx(want_loss, rel=tol)
    assert float(score) == pytest.approx(want_score, rel=tol, abs=1e-12)
    return lines


@pytest.mark.parametrize(
    "config, words",
    [
        (dict(stop_at={"epochs": 2.5}), "stop_at.epochs"),
        (dict(stop_at={"loss": 0.3}, dtype="float64"), "stop_at.loss"),
        (dict(stop_at={"accuracy": 0.9}), "stop_at.accuracy"),
        (dict(dataset="sine", loss="mse", stop_at={"accuracy": 0.8}), "training r2"),
        (
            dict(dataset="spiral", early_stopping={"patience": 2}, dtype="float64"),
            "the best weights (step 25,",
        ),
    ],
)
def test_the_script_stops_at_the_sessions_step(config, words, tmp_path):
    s = TrainingSession(TrainingConfig(**config))
    s.advance(30)  # exported mid-run: early stopping's best so far travels with the file
    lines = assert_stops_alike(s, tmp_path)
    assert words in lines[-2]


def test_early_stopping_brings_the_best_weights_back_in_the_script(tmp_path):
    s = TrainingSession(
        TrainingConfig(dataset="spiral", early_stopping={"patience": 2}, dtype="float64")
    )
    s.advance(30)
    assert_stops_alike(s, tmp_path)
    best = s.stops.best_params
    assert all(np.array_equal(s.net.params[k], best[k]) for k in best)  # page figures: these


def test_a_condition_that_fired_does_not_fire_again(tmp_path):
    # Exported after stop_at.epochs fired: play goes on past it, to the loss condition.
    s = TrainingSession(TrainingConfig(stop_at={"epochs": 1.0, "loss": 0.3}))
    s.advance(3000)
    assert s.stopped["reason"] == "epochs"
    lines = assert_stops_alike(s, tmp_path)
    assert "stop_at.loss" in lines[-2]


def test_a_schedule_and_surgery_stop_alike(tmp_path):
    s = TrainingSession(
        TrainingConfig(
            dtype="float64",
            learning_rate=0.1,
            lr_schedule={"kind": "step", "every": 5, "gamma": 0.7},
            stop_at={"accuracy": 0.9},
        )
    )
    s.advance(12)
    surgery.operate(s, "frozen", 1, 0, True)
    surgery.operate(s, "killed", 1, 3, True)
    assert_stops_alike(s, tmp_path)


def test_no_stop_trains_every_step_asked_and_plain_runs_have_no_stop_block(tmp_path):
    s = TrainingSession(TrainingConfig(stop_at={"epochs": 0.5}))
    path = tmp_path / "run.py"
    path.write_text(export_script(s))
    assert LINE.match(run(path, "--steps", "40", "--no-stop")[-1]).group(1) == "40"
    assert run(path, "--steps", "40")[-2].startswith("Stopped at step 13: epoch 0.520")
    plain = export_script(TrainingSession(TrainingConfig()))
    assert "stop_reason" not in plain and "--no-stop" not in plain
