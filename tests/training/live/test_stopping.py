"""Schedules and stopping in a session: the rate in force, stop_at, early stopping."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.errors import ClientError
from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from app.training.takehome.runfile import load_run, save_run

# XOR's 250 training points in batches of 10: 25 steps an epoch.
STEPS_PER_EPOCH = 25


def test_the_frame_reports_the_rate_in_force_and_steps_use_it():
    s = TrainingSession(
        TrainingConfig(learning_rate=0.2, lr_schedule={"kind": "step", "every": 2, "gamma": 0.1})
    )
    assert s.frame(plane=False)["learning_rate"] == 0.2
    s.advance(2 * STEPS_PER_EPOCH)  # two epochs: the next step is at 0.2 * 0.1
    assert s.frame(plane=False)["learning_rate"] == pytest.approx(0.02)
    s.advance(1)
    assert s.opt.learning_rate == pytest.approx(0.02)
    # Back to constant: the base rate again.
    s.configure({"lr_schedule": {"kind": "constant"}})
    assert s.frame(plane=False)["learning_rate"] == 0.2
    assert s.opt.learning_rate == 0.2


def test_a_scheduled_run_differs_from_a_constant_one():
    a = TrainingSession(TrainingConfig(lr_schedule={"kind": "cosine", "epochs": 4}))
    b = TrainingSession(TrainingConfig())
    a.advance(4 * STEPS_PER_EPOCH + 10)
    b.advance(4 * STEPS_PER_EPOCH + 10)
    assert not np.allclose(a.net.params["W1"], b.net.params["W1"])
    # After 4 epochs the cosine rate is 0: further steps leave the weights where they are.
    before = a.net.copy_params()
    a.advance(5)
    assert all(np.array_equal(before[k], a.net.params[k]) for k in before)


def test_stop_at_epochs_stops_exactly_there_and_play_goes_on_past_it():
    s = TrainingSession(TrainingConfig(stop_at={"epochs": 3}))
    done = s.advance(10_000)
    assert done == 3 * STEPS_PER_EPOCH and s.epoch == 3.0
    assert s.stopped["reason"] == "epochs" and s.stopped["step"] == 75
    assert s.advance(10) == 0  # stopped until resumed
    s.resume()
    assert s.advance(10) == 10 and s.stopped is None


def test_stop_at_loss_and_accuracy_fire_at_an_epoch_end():
    s = TrainingSession(TrainingConfig(stop_at={"accuracy": 0.9}, learning_rate=0.1))
    s.advance(20_000)
    r = s.stopped
    assert r["reason"] == "accuracy" and r["value"] >= 0.9
    assert s.examples % 250 < 10  # at the end of an epoch
    frame = s.frame(plane=False)
    assert frame["train"]["accuracy"] >= 0.9
    s = TrainingSession(TrainingConfig(stop_at={"loss": 0.3}, learning_rate=0.1))
    s.advance(20_000)
    assert s.stopped["reason"] == "loss"
    assert s.frame(plane=False)["train"]["loss"] <= 0.3


def test_early_stopping_restores_the_best_weights_by_test_loss():
    # The overfitting lesson's setting: 20 noisy points, a 32-32 net; the test loss turns up.
    cfg = TrainingConfig(
        dataset="circles",
        n_samples=200,
        noise=0.5,
        train_fraction=0.1,
        hidden_layers=[32, 32],
        optimizer="adam",
        learning_rate=0.01,
        early_stopping={"patience": 20},
    )
    s = TrainingSession(cfg)
    s.advance(100_000)
    r = s.stopped
    assert r is not None and r["reason"] == "early_stopping"
    assert r["epoch"] - r["best_epoch"] >= 20
    # The weights now are the best epoch's: replaying the same run to that step gives them.
    replay = TrainingSession(TrainingConfig(**{**cfg.model_dump(), "early_stopping": {}}))
    replay.advance(r["best_step"])
    for k, v in replay.net.params.items():
        np.testing.assert_array_equal(s.net.params[k], v)
    assert s.frame(plane=False)["test"]["loss"] == pytest.approx(r["value"], rel=1e-3)


def test_a_saved_run_keeps_the_schedule_and_what_fired():
    cfg = TrainingConfig(
        lr_schedule={"kind": "exponential", "gamma": 0.9}, stop_at={"epochs": 2, "loss": 0.01}
    )
    s = TrainingSession(cfg)
    s.advance(1000)
    assert s.stopped["reason"] == "epochs"
    s.resume()
    s.advance(7)
    run = json.loads(json.dumps(save_run(s)))
    t = load_run(run)
    assert t.config == s.config and t.stops.fired == {"epochs"}
    s.advance(60)
    t.advance(60)
    assert s.opt.learning_rate == t.opt.learning_rate
    for k, v in s.net.params.items():
        np.testing.assert_array_equal(t.net.params[k], v)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lr_schedule": {"kind": "linear"}}, "lr_schedule.kind"),
        ({"lr_schedule": {"gamma": 1.5}}, "lr_schedule.gamma"),
        ({"stop_at": {"accuracy": 2}}, "stop_at.accuracy"),
        ({"stop_at": {"epoch": 2}}, "stop_at.epoch"),
        ({"early_stopping": {"patience": 0}}, "early_stopping.patience"),
    ],
)
def test_bad_parts_name_the_field_and_change_nothing(change, field):
    s = TrainingSession()
    with pytest.raises(ClientError) as e:
        s.configure(change)
    assert e.value.field == field
    assert s.config == TrainingConfig()
