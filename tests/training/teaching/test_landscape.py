"""The loss landscape of a session: the grid's losses, its centre, the path on it."""

from __future__ import annotations

import numpy as np
import pytest

from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from app.training.teaching.landscape import LandscapeJob


def computed(s: TrainingSession, resolution: int, span: float) -> LandscapeJob:
    job = LandscapeJob(s, resolution, span)
    slices = 0
    while not job.run_for(0.001):
        slices += 1
    job.slices = slices
    return job


def test_the_centre_is_the_training_loss_and_each_point_is_the_loss_there():
    s = TrainingSession()
    s.advance(300)
    job = computed(s, 11, 1.0)
    msg = job.message()
    assert len(msg["alpha"]) == len(msg["beta"]) == 11 and len(msg["loss"]) == 11
    assert msg["alpha"][0] == -1.0 and msg["alpha"][-1] == 1.0
    train_loss = s.frame(plane=False)["train"]["loss"]
    assert msg["center_loss"] == pytest.approx(train_loss, rel=1e-4)
    assert msg["loss"][5][5] == pytest.approx(train_loss, rel=1e-4)  # alpha = beta = 0
    # loss[j][i] is the loss at theta + alpha[i] d1 + beta[j] d2, measured independently.
    net = s.net.copy()
    i, j = 2, 8
    point = job.center + msg["alpha"][i] * job.dirs[:, 0] + msg["beta"][j] * job.dirs[:, 1]
    np.copyto(net.params.flat, point.astype(net.params.flat.dtype))
    assert msg["loss"][j][i] == pytest.approx(net.loss(s.X_train, s.y_train), rel=1e-4)
    # Trained weights sit in a valley: the rim of the plane is higher than its centre.
    rim = [*msg["loss"][0], *msg["loss"][-1]]
    assert min(rim) > msg["center_loss"]


def test_the_path_runs_from_the_first_step_to_the_weights_now():
    s = TrainingSession(TrainingConfig(learning_rate=0.3))
    s.advance(1000)
    path = computed(s, 5, 1.0).message()["path"]
    assert path["step"][0] == 0 and path["step"][-1] == 1000
    assert path["step"] == sorted(path["step"]) and 8 <= len(path["step"]) <= 65
    assert (path["alpha"][-1], path["beta"][-1]) == (0.0, 0.0)  # the centre is the weights now
    assert max(abs(a) for a in path["alpha"] + path["beta"]) > 0.01  # it came from elsewhere


def test_training_between_slices_leaves_the_landscape_as_requested():
    s = TrainingSession()
    s.advance(100)
    job = LandscapeJob(s, 7, 0.5)
    job.run_for(0.0)  # one point
    s.advance(200)  # the session trains on: the job works on its own copy
    while not job.run_for(0.01):
        pass
    again = computed(TrainingSession(), 7, 0.5)  # a fresh session at step 0: another centre
    msg = job.message()
    assert msg["step"] == 100
    fresh = TrainingSession()
    fresh.advance(100)
    assert msg["loss"] == computed(fresh, 7, 0.5).message()["loss"]
    assert msg["loss"] != again.message()["loss"]


def test_the_same_run_draws_the_same_directions():
    a, b = TrainingSession(), TrainingSession()
    np.testing.assert_array_equal(LandscapeJob(a, 5, 1).dirs, LandscapeJob(b, 5, 1).dirs)
    c = TrainingSession(TrainingConfig(seed=1))
    assert not np.array_equal(LandscapeJob(a, 5, 1).dirs, LandscapeJob(c, 5, 1).dirs)
