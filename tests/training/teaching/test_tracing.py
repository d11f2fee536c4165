"""Step-through traces: the real step's numbers, satisfying the chain rule."""

from __future__ import annotations

import numpy as np
import pytest

from app.training.live.config import ConfigError
from app.training.live.session import TrainingSession
from app.training.teaching.step_through import gradient_check, run_trace

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


def _session(**changes) -> TrainingSession:
    s = TrainingSession()
    s.configure({"dtype": "float64", "hidden_layers": [5, 3], **changes})
    s.advance(7)
    return s


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_traced_step_is_exactly_a_normal_step(optimizer):
    traced, plain = _session(optimizer=optimizer), _session(optimizer=optimizer)
    trace = run_trace(traced)
    plain.advance(1)
    assert traced.step == plain.step == 8
    for k in plain.net.params:
        assert np.array_equal(traced.net.params[k], plain.net.params[k]), k
    for layer in trace["layers"]:
        i = layer["name"]
        assert np.array_equal(np.array(layer["W_new"]), plain.net.params[f"W{i}"])
        np.testing.assert_allclose(
            np.array(layer["W"]) + np.array(layer["delta_W"]), layer["W_new"], rtol=0, atol=1e-15
        )


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy", "mse"])
def test_trace_numbers_satisfy_the_chain_rule(activation, loss):
    s = _session(activation=activation, loss=loss, l2=0.01, l1=0.001)
    t = run_trace(s)
    N = t["batch_size"]
    assert N == s.config.batch_size
    for k, layer in enumerate(t["layers"]):
        a_in, W, b = (np.array(layer[key]) for key in ("a_in", "W", "b"))
        z, dz = np.array(layer["z"]), np.array(layer["dL_dz"])
        np.testing.assert_allclose(z, a_in @ W + b, rtol=0, atol=1e-12)
        if layer["f_prime"] is not None:  # hidden layer: dL/dz = dL/da * f'(z)
            np.testing.assert_allclose(
                dz, np.array(layer["dL_da"]) * np.array(layer["f_prime"]), rtol=0, atol=1e-12
            )
        penalty = 0.01 * W + 0.001 * np.sign(W)
        np.testing.assert_allclose(layer["dW"], a_in.T @ dz + penalty, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer["db"], dz.sum(axis=0), rtol=0, atol=1e-12)
        if k > 0:  # the layer below receives exactly this layer's dL/da_in
            np.testing.assert_allclose(layer["dL_da_in"], dz @ W.T, rtol=0, atol=1e-12)
            below = t["layers"][k - 1]
            np.testing.assert_allclose(below["dL_da"], layer["dL_da_in"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(below["a"], a_in, rtol=0, atol=0)
    out = t["layers"][-1]
    y_hat, y = np.array(t["y_hat"]), np.array(t["labels"])
    if loss == "cross_entropy":  # softmax + cross-entropy: dL/dz = (ŷ - onehot(y)) / N
        expected = (y_hat - np.eye(y_hat.shape[1])[y]) / N
    elif loss == "binary_cross_entropy":
        expected = (y_hat - y[:, None]) / N
    else:  # linear output + MSE (0.5 * squared error, batch mean): dL/dz = (z - onehot(y)) / N
        z = np.array(out["z"])
        expected = (z - np.eye(z.shape[1])[y]) / N
    np.testing.assert_allclose(out["dL_dz"], expected, rtol=0, atol=1e-12)


def test_sgd_update_is_minus_learning_rate_times_gradient():
    s = _session(optimizer="sgd", learning_rate=0.5)
    t = run_trace(s)
    for layer in t["layers"]:
        np.testing.assert_allclose(
            layer["delta_W"], -0.5 * np.array(layer["dW"]), rtol=0, atol=1e-15
        )


def test_trace_shows_the_effect_on_the_batch_loss():
    s = _session(learning_rate=0.05)
    t = run_trace(s)
    assert t["loss_before"] == pytest.approx(t["loss"])
    assert t["loss_after"] < t["loss_before"]


def test_trace_of_one_chosen_example():
    s = _session()
    t = run_trace(s, example=3)
    assert t["batch_size"] == 1 and t["labels"] == [int(s.y_train[3])]
    with pytest.raises(ConfigError, match="between 0 and 249"):
        run_trace(s, example=250)


def test_gradient_check_of_a_selected_weight_agrees():
    s = _session(activation="tanh")
    run_trace(s)
    g = gradient_check(s, "W2", [1, 2])
    assert g["rel_error"] < 1e-6
    assert g["analytic"] == pytest.approx(g["numeric"], rel=1e-6)
    with pytest.raises(ConfigError):
        gradient_check(s, "W2", [9, 9])


def test_gradient_check_needs_a_trace():
    with pytest.raises(ConfigError) as e:
        gradient_check(TrainingSession(), "W1", [0, 0])
    assert e.value.code == "no_trace"


def test_mnist_trace_aggregates_big_layers():
    s = TrainingSession()
    s.configure({"dataset": "mnist", "hidden_layers": [16], "activation": "relu", "batch_size": 8})
    t = run_trace(s)
    first = t["layers"][0]
    assert first["dW"] is None and first["summary"]["dW"]["shape"] == [784, 16]
    assert len(first["dW_images"]) == 16
    assert t["layers"][1]["dW"] is not None  # 16x10 is small enough to list


@pytest.mark.parametrize(
    "loss, output",
    [("cross_entropy", "softmax"), ("mse", "linear"), ("binary_cross_entropy", "sigmoid")],
)
def test_trace_names_the_output_activation_the_loss_uses(loss, output):
    t = run_trace(_session(activation="leaky_relu", loss=loss))
    assert [layer["activation"] for layer in t["layers"]] == ["leaky_relu", "leaky_relu", output]
    assert [layer["output"] for layer in t["layers"]] == [False, False, True]
    # leaky_relu's slope as the page prints it is the one the step used: f'(z) for z <= 0
    f_prime, z = np.array(t["layers"][0]["f_prime"]), np.array(t["layers"][0]["z"])
    assert np.all(f_prime[z <= 0] == t["leaky_slope"]) and np.all(f_prime[z > 0] == 1)


def test_a_diverging_trace_is_counted_like_any_diverging_step():
    cfg = {"activation": "linear", "loss": "mse", "hidden_layers": [8, 8]}
    fast = {"learning_rate": 10.0, "batch_size": 250}
    traced, plain = TrainingSession(), TrainingSession()
    for s in (traced, plain):
        s.configure(cfg)
        s.configure(fast)
    for _ in range(500):
        if plain.diverged:
            break
        plain.advance(1)
        run_trace(traced)
    assert plain.diverged and traced.diverged_at == plain.diverged_at
    assert traced.examples == plain.examples and traced.step == plain.step


def test_gradient_check_uses_the_sessions_network_settings():
    s = _session(activation="sigmoid", loss="mse", l1=0.01, l2=0.02, dtype="float32")
    run_trace(s)
    g = gradient_check(s, "W1", [0, 1])
    assert g["rel_error"] < 1e-6  # float64 copy of the float32 net, penalties included
