"""Frames show the engine's own figures: unit health as app.nn.health defines and tests it."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MLP, make_optimizer, unit_health
from app.training.frames import parts
from app.training.live.session import TrainingSession


def _stats(activation: str, hidden: np.ndarray) -> dict:
    net = MLP([2, hidden.shape[1], 2], activation=activation, seed=0)
    out = np.full((hidden.shape[0], 2), 0.5)
    return parts.layer_stats(net, make_optimizer("sgd"), [hidden, out])


def test_saturated_share_shown_is_the_engines():
    a = np.array([[0.95, 0.96, 0.98, 0.1]])  # only 0.98 is past |tanh| = 0.97
    hidden = _stats("tanh", a)[0]
    assert hidden["saturated"] == pytest.approx(0.25) == unit_health("tanh", a)[0]
    assert hidden["dead"] is None


def test_sigmoid_saturation_is_measured_on_its_own_scale():
    a = np.array([[0.99, 0.5], [0.01, 0.9]])  # 0.99 and 0.01 are within 0.015 of a limit
    assert _stats("sigmoid", a)[0]["saturated"] == pytest.approx(0.5)


def test_relu_units_that_never_fire_are_dead_and_leaky_relu_ones_are_not():
    a = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    relu = _stats("relu", a)[0]
    assert relu["dead"] == pytest.approx(1 / 3) and relu["saturated"] is None
    negative = np.array([[-0.01, 1.0], [-0.02, 0.5]])  # leaky units pass gradient below 0
    leaky = _stats("leaky_relu", negative)[0]
    assert leaky["dead"] is None and leaky["saturated"] is None


def test_output_layer_names_the_activation_fused_with_the_loss():
    session = TrainingSession()
    for loss, act in (("cross_entropy", "softmax"), ("mse", "linear")):
        session.configure({"loss": loss})
        layers = session.frame()["layers"]
        assert layers[-1]["activation"] == act and layers[0]["activation"] == "tanh"
        assert layers[-1]["saturated"] is None and layers[-1]["dead"] is None


def test_live_frame_health_matches_the_engine_on_the_evaluation_set():
    session = TrainingSession()
    session.configure({"activation": "relu", "hidden_layers": [6, 6]})
    session.advance(20)
    frame = session.frame()
    hidden = session.net.forward_layers(session.X_train)
    for layer, a in zip(frame["layers"][:-1], hidden[:-1], strict=True):
        assert layer["dead"] == unit_health("relu", a)[1]
