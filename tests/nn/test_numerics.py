"""Extreme logits stay finite and silent; losses and activations follow their formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from app.nn import ACTIVATIONS, LOSSES, MLP, dead_share, make_optimizer, saturation_share


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_logits_of_1000_give_finite_loss_and_gradient_without_warnings(loss, dtype):
    fn = LOSSES[loss]
    k = 1 if loss == "binary_cross_entropy" else 3
    z = np.array([[1000.0, -1000.0, 0.0][:k], [-1000.0, 1000.0, 5.0][:k]], dtype)
    y = np.array([0, 1]) if k == 1 else np.array([1, 0])  # confidently wrong: 1000 / 2000
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = fn.loss(z, y), fn.grad(z, y)
        probs = fn.probs(z)
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(probs))
    assert grad.dtype == dtype and probs.dtype == dtype
    if loss != "mse":  # -log p(true class) = logit gap
        assert value == pytest.approx(1000 * (1 if k == 1 else 2), rel=1e-6)
        assert np.all(np.abs(grad) <= 0.5 + 1e-6)


def test_a_huge_network_output_trains_without_warnings():
    net = MLP([2, 3, 3], activation="relu", dtype="float64", seed=0)
    net.params["W2"][...] *= 1e4  # logits in the thousands
    X = np.array([[1.0, 2.0], [-2.0, 1.0], [0.5, -1.0]])
    y = np.array([0, 1, 2])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss = net.train_step(X, y, make_optimizer("sgd"))
        assert np.all(np.isfinite(net.predict_proba(X)))
    assert np.isfinite(loss) and loss > 100
    assert all(np.all(np.isfinite(g)) for g in net.grads.values())


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 41) + 0.013  # steps around, never on, the kink at 0
    h = 1e-6
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.grad(z, act.fn(z)), numeric, rtol=1e-6, atol=1e-8)


def test_activation_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].fn(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_array_equal(ACTIVATIONS["relu"].fn(z), [0, 0, 3])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].fn(z), [-0.02, 0, 3])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].grad(z, None), [0, 0, 1])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].grad(z, None), [0.01, 0.01, 1])
    assert ACTIVATIONS["tanh"].kind == "saturating" and ACTIVATIONS["relu"].kind == "rectifier"


def test_losses_follow_their_formulas():
    z = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]])
    y = np.array([2, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    ce = LOSSES["cross_entropy"]
    assert ce.loss(z, y) == pytest.approx(-np.log(p[[0, 1], y]).mean(), rel=1e-14)
    np.testing.assert_allclose(ce.grad(z, y), (p - np.eye(3)[y]) / 2, atol=1e-16)
    mse = LOSSES["mse"]
    assert mse.loss(z, y) == pytest.approx(0.5 * ((z - np.eye(3)[y]) ** 2).sum() / 2)
    bce = LOSSES["binary_cross_entropy"]
    zb, yb = np.array([[0.3], [-2.0]]), np.array([1, 0])
    pb = 1 / (1 + np.exp(-zb[:, 0]))
    expected = -np.mean(yb * np.log(pb) + (1 - yb) * np.log(1 - pb))
    assert bce.loss(zb, yb) == pytest.approx(expected, rel=1e-14)
    assert [loss.n_outputs(4) for loss in LOSSES.values()] == [4, 1, 4]


def test_mse_probabilities_are_clipped_and_normalised():
    mse = LOSSES["mse"]
    p = mse.probs(np.array([[2.0, 0.5, -1.0], [-1.0, -2.0, -0.5]]))
    np.testing.assert_allclose(p, [[2 / 3, 1 / 3, 0], [1 / 3, 1 / 3, 1 / 3]])
    single = mse.probs(np.array([[1.5], [0.25]]))
    np.testing.assert_allclose(single, [[1.0], [0.25]])
    assert list(mse.predict(np.array([[0.7], [0.2]]))) == [1, 0]


def test_binary_network_outputs_one_probability_column():
    net = MLP([2, 3, 1], loss="binary_cross_entropy", seed=0)
    X = np.array([[0.5, -1.0], [2.0, 1.0]])
    p = net.predict_proba(X)
    assert p.shape == (2, 1) and net.n_classes == 2 and net.n_outputs == 1
    np.testing.assert_array_equal(net.predict(X), (p[:, 0] > 0.5).astype(int))


def test_saturation_and_dead_shares():
    a = np.array([[0.99, 0.0, -0.98], [0.5, -0.1, 0.2]])
    assert saturation_share("tanh", a) == pytest.approx(2 / 6)
    assert saturation_share("sigmoid", np.array([[0.999, 0.5], [0.001, 0.6]])) == 0.5
    assert saturation_share("relu", a) is None
    relu_out = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert dead_share("relu", relu_out) == pytest.approx(1 / 3)
    assert dead_share("tanh", relu_out) is None
