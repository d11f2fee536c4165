"""app/nn/reference.py proved by centred finite differences, every function, float64."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import reference as R
from app.nn.gradcheck import relative_error as _relative_error

H = 1e-6


def relative_error(a, b):
    """Entries below 1e-3 compared absolutely: the difference's rounding is ~1e-9."""
    return _relative_error(a, b, floor=1e-3)


def numeric(f, x, dout):
    """d sum(f(x) * dout) / dx by centred differences: x changes in place, then restored."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        plus = np.sum(f() * dout)
        x[i] = old - H
        minus = np.sum(f() * dout)
        x[i] = old
        g[i] = (plus - minus) / (2 * H)
    return g


def numeric_scalar(f, x):
    return numeric(lambda: np.array(f()), x, np.array(1.0))


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_affine(rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)
    dout = rng.normal(size=(4, 5))
    out, cache = R.affine_forward(x, W, b)
    np.testing.assert_allclose(out, x @ W + b)
    dx, dW, db = R.affine_backward(dout, cache)
    f = lambda: R.affine_forward(x, W, b)[0]  # noqa: E731
    for got, arg in ((dx, x), (dW, W), (db, b)):
        assert relative_error(got, numeric(f, arg, dout)) < 1e-6


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "tanh", "sigmoid", "linear"])
def test_activation(name, rng):
    x = rng.normal(size=(5, 4))
    x[np.abs(x) < 0.05] = 0.3  # clear of the rectifiers' kink
    dout = rng.normal(size=x.shape)
    forward, backward = getattr(R, f"{name}_forward"), getattr(R, f"{name}_backward")
    out, cache = forward(x)
    dx = backward(dout, cache)
    assert relative_error(dx, numeric(lambda: forward(x)[0], x, dout)) < 1e-6


def test_sigmoid_values_and_no_overflow():
    out, _ = R.sigmoid_forward(np.array([-1000.0, 0.0, 2.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 0.5, 1 / (1 + np.exp(-2.0)), 1.0])


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm"])
def test_norm(kind, rng):
    x = rng.normal(2.0, 3.0, size=(6, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    dout = rng.normal(size=x.shape)
    forward, backward = getattr(R, f"{kind}_forward"), getattr(R, f"{kind}_backward")
    out, cache = forward(x, gamma, beta)
    axis = 0 if kind == "batchnorm" else 1
    x_hat = (out - beta) / gamma
    np.testing.assert_allclose(x_hat.mean(axis=axis), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_hat.var(axis=axis), x.var(axis=axis) / (x.var(axis=axis) + 1e-5))
    dx, dgamma, dbeta = backward(dout, cache)
    f = lambda: forward(x, gamma, beta)[0]  # noqa: E731
    for got, arg in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        assert relative_error(got, numeric(f, arg, dout)) < 1e-6


def test_batchnorm_uses_biased_variance_and_caches_statistics(rng):
    x = rng.normal(size=(5, 3))
    _, cache = R.batchnorm_forward(x, np.ones(3), np.zeros(3))
    mu, var = cache[3], cache[4]
    np.testing.assert_allclose(mu, x.mean(axis=0))
    np.testing.assert_allclose(var, x.var(axis=0, ddof=0))


def test_dropout(rng):
    x = rng.normal(size=(2000, 5))
    out, mask = R.dropout_forward(x, 0.3, np.random.default_rng(1))
    kept = mask != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02  # p is the probability of dropping
    np.testing.assert_allclose(out[kept], x[kept] / 0.7)
    assert not out[~kept].any()
    dout = rng.normal(size=x.shape)
    small = x[:3]
    f = lambda: small * mask[:3]  # noqa: E731  the mask held fixed, as in backprop
    dx = R.dropout_backward(dout[:3], mask[:3])
    assert relative_error(dx, numeric(f, small, dout[:3])) < 1e-6
    # the same generator state draws the same mask
    again = R.dropout_forward(x, 0.3, np.random.default_rng(1))[1]
    np.testing.assert_array_equal(again, mask)


def test_softmax_cross_entropy(rng):
    scores, y = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    loss, dscores = R.softmax_cross_entropy(scores, y)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(5), y]).mean())
    f = lambda: R.softmax_cross_entropy(scores, y)[0]  # noqa: E731
    assert relative_error(dscores, numeric_scalar(f, scores)) < 1e-6


def test_sigmoid_binary_cross_entropy(rng):
    scores, y = rng.normal(size=(6, 1)) * 3, np.array([0, 1, 1, 0, 1, 0])
    loss, dscores = R.sigmoid_binary_cross_entropy(scores, y)
    p = 1 / (1 + np.exp(-scores[:, 0]))
    assert loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    f = lambda: R.sigmoid_binary_cross_entropy(scores, y)[0]  # noqa: E731
    assert relative_error(dscores, numeric_scalar(f, scores)) < 1e-6
    big, _ = R.sigmoid_binary_cross_entropy(np.array([[1000.0], [-1000.0]]), np.array([0, 0]))
    assert big == pytest.approx(500.0)  # softplus(1000) / 2 without overflow


@pytest.mark.parametrize("shape", [(5, 3), (5, 1)])
def test_mse(shape, rng):
    pred = rng.normal(size=shape)
    y = rng.normal(size=shape[0]) if shape[1] == 1 else rng.normal(size=shape)
    loss, dpred = R.mse(pred, y)
    assert loss == pytest.approx(0.5 * ((pred - y.reshape(shape)) ** 2).sum() / shape[0])
    f = lambda: R.mse(pred, y)[0]  # noqa: E731
    assert relative_error(dpred, numeric_scalar(f, pred)) < 1e-6
