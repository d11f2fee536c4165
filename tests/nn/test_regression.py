"""The regression path: linear output + mse on real-valued targets, proven by finite
differences, and R²."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import ACTIVATIONS, MLP, check_gradients, make_optimizer
from app.nn.losses import r_squared

from .problems import away_from_kinks


def _problem(sizes, activation, seed, n=8, **kw):
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation, "mse", dtype="float64", seed=seed, targets="values", **kw)
    X = away_from_kinks(net, rng.normal(size=(4 * n, sizes[0])))[:n]
    shape = (len(X),) if sizes[-1] == 1 else (len(X), sizes[-1])
    return net, X, rng.normal(scale=2.0, size=shape)


@pytest.mark.parametrize("penalties", [(0.0, 0.0), (0.01, 0.03)], ids=["plain", "l1_l2"])
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_regression_gradients_match_finite_differences(activation, depth, penalties):
    l1, l2 = penalties
    net, X, y = _problem([2] + [5] * depth + [1], activation, seed=depth, l1=l1, l2=l2)
    assert len(X) >= 4
    errors = check_gradients(net, X, y)
    assert set(errors) == set(net.params) | {"X"}
    assert max(errors.values()) < 1e-6, errors


def test_several_real_outputs_also_check():
    net, X, y = _problem([3, 4, 2], "tanh", seed=5)
    assert y.shape == (len(X), 2)
    assert max(check_gradients(net, X, y).values()) < 1e-6


def test_loss_is_half_mean_squared_error_and_y_hat_is_not_clipped():
    net = MLP([1, 1], "linear", "mse", dtype="float64", targets="values")
    net.set_params({"W1": np.array([[3.0]]), "b1": np.array([1.0])})
    X = np.array([[1.0], [2.0], [-1.0]])
    y = np.array([2.0, 9.0, -2.0])  # predictions 4, 7, -2: errors 2, -2, 0
    assert net.loss(X, y) == pytest.approx(0.5 * (4 + 4 + 0) / 3)
    np.testing.assert_allclose(net.predict_proba(X)[:, 0], [4.0, 7.0, -2.0])
    loss, r2, acts = net.evaluate(X, y)
    assert r2 == pytest.approx(1 - 8 / np.sum((y - y.mean()) ** 2))
    np.testing.assert_allclose(acts[-1][:, 0], [4.0, 7.0, -2.0])
    net.gradients(X, y)
    np.testing.assert_allclose(net.trace.y_hat[:, 0], [4.0, 7.0, -2.0])


def test_r_squared_reference_points():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r_squared(y, y) == 1.0
    assert r_squared(np.full(4, y.mean()), y) == pytest.approx(0.0)
    assert r_squared(-y, y) < 0
    assert r_squared(np.ones(3), np.ones(3)) == 1.0  # constant targets, exact fit


def test_real_targets_need_mse_and_the_right_shape():
    with pytest.raises(ValueError, match="real-valued targets need the mse loss"):
        MLP([2, 3, 1], loss="cross_entropy", targets="values")
    with pytest.raises(ValueError, match="targets must be 'classes' or 'values'"):
        MLP([2, 3, 1], loss="mse", targets="reals")
    net = MLP([2, 3, 1], loss="mse", targets="values")
    with pytest.raises(ValueError, match=r"real targets of shape \(4,\)"):
        net.loss(np.zeros((4, 2)), np.zeros((4, 2)))
    # classification with mse still refuses fractional labels
    with pytest.raises(ValueError, match="integer class labels"):
        MLP([2, 3, 1], loss="mse").loss(np.zeros((2, 2)), np.array([0.5, 1.0]))


def test_a_small_relu_net_fits_a_sine_and_copies_keep_the_task():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(200, 1))
    y = np.sin(2 * x[:, 0])
    net = MLP([1, 16, 1], "relu", "mse", "he_uniform", dtype="float64", seed=1, targets="values")
    opt = make_optimizer("adam", learning_rate=0.03)
    xs = (x - x.mean()) / x.std()
    for step in range(6000):
        idx = np.arange(step * 10, step * 10 + 10) % 200
        net.train_step(xs[idx], y[idx], opt)
    _, r2, _ = net.evaluate(xs, y)
    assert r2 > 0.9
    twin = net.copy("float32")
    assert twin.targets == "values"
    np.testing.assert_allclose(twin.predict_proba(xs)[:, 0], net.predict_proba(xs)[:, 0], atol=1e-4)
