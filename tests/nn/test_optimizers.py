"""Optimizers: each one lowers a convex loss; state survives hyperparameter changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.nn import MLP, OPTIMIZERS, make_optimizer

from .problems import blobs


def _logistic_regression(optimizer, steps=50, **kw):
    X, y = blobs(30, 3, seed=0)
    net = MLP([2, 3], loss="cross_entropy", dtype="float64", seed=0)  # no hidden layer: convex
    opt = make_optimizer(optimizer, **kw)
    first = net.loss(X, y)
    for _ in range(steps):
        net.train_step(X, y, opt)
    return first, net.loss(X, y), net, opt


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_lowers_a_convex_loss(optimizer):
    first, last, _, opt = _logistic_regression(optimizer, learning_rate=0.05)
    assert last < 0.5 * first
    assert opt.t == 50


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_last_update_is_the_exact_delta_applied(optimizer):
    _, _, net, opt = _logistic_regression(optimizer, steps=3, learning_rate=0.05)
    X, y = blobs(30, 3, seed=0)
    before = net.copy_params()
    buffers = {k: v for k, v in opt.last_update.items()}
    net.train_step(X, y, opt)
    for name, value in before.items():
        assert np.array_equal(net.params[name], value + opt.last_update[name])
        assert opt.last_update[name] is buffers[name]  # preallocated, reused


def test_optimizer_works_on_plain_dicts_too():
    params = {"w": np.array([1.0, -2.0])}
    opt = make_optimizer("momentum", learning_rate=0.1, momentum=0.5)
    for _ in range(2):
        opt.step(params, {"w": np.array([1.0, 1.0])})
    # v1 = -0.1, v2 = 0.5 * -0.1 - 0.1 = -0.15; w = 1 - 0.25
    np.testing.assert_allclose(params["w"], [0.75, -2.25])
    np.testing.assert_allclose(opt.last_update["w"], [-0.15, -0.15])


def test_adam_keeps_its_moments_when_the_learning_rate_changes():
    _, _, net, opt = _logistic_regression("adam", steps=5, learning_rate=0.01)
    X, y = blobs(30, 3, seed=0)
    m = {k: s["m"].copy() for k, s in opt.state.items()}
    v = {k: s["v"].copy() for k, s in opt.state.items()}
    assert any(np.any(x != 0) for x in m.values())
    opt.learning_rate = 0.1
    assert all(np.array_equal(opt.state[k]["m"], m[k]) for k in m)
    _, grads = net.gradients(X, y)
    grads = {k: g.copy() for k, g in grads.items()}
    net.train_step(X, y, opt)
    t = opt.t
    assert t == 6
    for name, g in grads.items():  # the step used the old moments and the new rate
        m_new = 0.9 * m[name] + 0.1 * g
        v_new = 0.999 * v[name] + 0.001 * g * g
        m_hat, v_hat = m_new / (1 - 0.9**t), v_new / (1 - 0.999**t)
        expected = -0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
        np.testing.assert_allclose(opt.last_update[name], expected, rtol=1e-12, atol=1e-15)


def test_momentum_state_survives_a_learning_rate_change_unlike_a_fresh_optimizer():
    _, _, net, opt = _logistic_regression("momentum", steps=5, learning_rate=0.01)
    X, y = blobs(30, 3, seed=0)
    snapshot = net.copy_params()
    opt.learning_rate = 0.02
    net.train_step(X, y, opt)
    kept = opt.last_update["W1"].copy()
    net.set_params(snapshot)
    fresh = make_optimizer("momentum", learning_rate=0.02)
    net.train_step(X, y, fresh)
    assert not np.allclose(kept, fresh.last_update["W1"])


def test_nesterov_and_rmsprop_follow_their_formulas():
    for name, expected in [
        # v = -0.1; delta = 0.9 * v - 0.1 * g = -0.19
        ("nesterov", -0.19),
        # s = 0.1 * 1; delta = -0.1 / (sqrt(0.1) + 1e-8)
        ("rmsprop", -0.1 / (math.sqrt(0.1) + 1e-8)),
        ("sgd", -0.1),
        ("adam", -0.1 / (1 + 1e-8)),
    ]:
        opt = make_optimizer(name, learning_rate=0.1)
        params = {"w": np.zeros(1)}
        opt.step(params, {"w": np.ones(1)})
        assert params["w"][0] == pytest.approx(expected, rel=1e-12), name


def test_hyperparameters_are_plain_attributes():
    opt = make_optimizer("adam", learning_rate=0.01, beta1=0.8, beta2=0.99, eps=1e-7)
    assert (opt.learning_rate, opt.beta1, opt.beta2, opt.eps) == (0.01, 0.8, 0.99, 1e-7)
    opt2 = make_optimizer("rmsprop", rho=0.5, momentum=0.3)
    assert (opt2.rho, opt2.momentum) == (0.5, 0.3)
