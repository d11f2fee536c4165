"""The network learns, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MLP, OPTIMIZERS, make_optimizer

from .problems import blobs

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) * 2 - 1
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("loss, n_out", [("binary_cross_entropy", 1), ("cross_entropy", 2)])
def test_2_4_1_tanh_learns_xor(loss, n_out):
    net = MLP([2, 4, n_out], activation="tanh", loss=loss, seed=0)
    opt = make_optimizer("adam", learning_rate=0.05)
    first = net.loss(XOR_X, XOR_Y)
    for _ in range(500):
        last = net.train_step(XOR_X, XOR_Y, opt)
    assert last < 0.1 * first
    assert np.array_equal(net.predict(XOR_X), XOR_Y)


def test_noisy_xor_quadrants_reach_full_training_accuracy_on_clean_points():
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, size=(200, 2))
    X = X[np.min(np.abs(X), axis=1) > 0.1]  # a margin around the axes
    y = (X[:, 0] * X[:, 1] < 0).astype(int)
    net = MLP([2, 8, 1], activation="tanh", loss="binary_cross_entropy", seed=1)
    opt = make_optimizer("adam", learning_rate=0.03)
    for _ in range(60):
        for start in range(0, len(X), 10):
            net.train_step(X[start : start + 10], y[start : start + 10], opt)
    assert np.mean(net.predict(X) == y) == 1.0


def test_four_blobs_reach_95_percent_test_accuracy():
    X, y = blobs(100, 4, seed=3)
    Xt, yt = blobs(100, 4, seed=4)
    net = MLP([2, 8, 4], activation="relu", loss="cross_entropy", init="he_normal", seed=0)
    opt = make_optimizer("momentum", learning_rate=0.05)
    for _ in range(30):
        for start in range(0, len(X), 20):
            net.train_step(X[start : start + 20], y[start : start + 20], opt)
    assert np.mean(net.predict(Xt) == yt) > 0.95
    probs = net.predict_proba(Xt)
    assert probs.shape == (400, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)


def _run(seed, optimizer="adam", dtype="float32", steps=100):
    X, y = blobs(20, 3, seed=0)
    net = MLP([2, 6, 5, 3], activation="tanh", seed=seed, dtype=dtype, l2=1e-3)
    opt = make_optimizer(optimizer, learning_rate=0.05)
    for step in range(steps):
        batch = slice((step * 10) % 60, (step * 10) % 60 + 10)
        net.train_step(X[batch], y[batch], opt)
    return net


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_same_seed_gives_bit_identical_weights(optimizer):
    a, b = _run(11, optimizer), _run(11, optimizer)
    for name in a.params:
        assert np.array_equal(a.params[name], b.params[name])


def test_different_seed_gives_different_weights():
    a, b = _run(11), _run(12)
    assert not np.array_equal(a.params["W1"], b.params["W1"])


def test_seed_can_be_a_generator():
    a = MLP([2, 3, 2], seed=np.random.default_rng(5))
    b = MLP([2, 3, 2], seed=np.random.default_rng(5))
    assert np.array_equal(a.params["W1"], b.params["W1"])


def test_float32_is_the_default_and_everything_stays_float32():
    net = MLP([2, 4, 3], activation="relu")
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.params.values())
    X = np.random.default_rng(0).normal(size=(5, 2))  # float64 input is converted
    y = np.array([0, 1, 2, 1, 0], dtype=np.uint8)
    assert net.predict_proba(X).dtype == np.float32
    assert all(a.dtype == np.float32 for a in net.forward_layers(X))
    _, grads = net.gradients(X, y)
    assert all(g.dtype == np.float32 for g in grads.values())
    trace = net.trace
    for layer in trace.layers:
        for array in (layer.a_in, layer.z, layer.a, layer.dL_dz, layer.dW, layer.db):
            assert array.dtype == np.float32
    assert isinstance(net.loss(X, y), float)


def test_float64_on_request():
    net = _run(3, dtype="float64", steps=3)
    assert all(p.dtype == np.float64 for p in net.params.values())


def test_copy_and_set_params_round_trip():
    net = _run(3, steps=5)
    snapshot = net.copy_params()
    X, y = blobs(5, 3, seed=1)
    loss = net.loss(X, y)
    net.train_step(X, y, make_optimizer("sgd", learning_rate=1.0))
    assert net.loss(X, y) != loss
    net.set_params(snapshot)
    assert net.loss(X, y) == loss
    twin = net.copy("float64")
    assert twin.dtype == np.float64 and twin.loss(X, y) == pytest.approx(loss, rel=1e-5)


def test_l2_shrinks_weights():
    X, y = blobs(20, 3, seed=0)
    norms = []
    for l2 in (0.0, 0.5):
        net = MLP([2, 6, 3], seed=0, l2=l2)
        opt = make_optimizer("sgd", learning_rate=0.1)
        for _ in range(200):
            net.train_step(X, y, opt)
        norms.append(np.linalg.norm(net.params["W1"]))
    assert norms[1] < 0.7 * norms[0]


def test_l1_and_l2_are_live_attributes():
    X, y = blobs(5, 3, seed=0)
    net = MLP([2, 3, 3], dtype="float64", seed=0)
    base = net.loss(X, y)
    net.l1, net.l2 = 0.1, 0.2
    W = np.concatenate([net.params["W1"].ravel(), net.params["W2"].ravel()])
    expected = base + 0.1 * np.abs(W).sum() + 0.5 * 0.2 * (W**2).sum()
    assert net.loss(X, y) == pytest.approx(expected, rel=1e-12)
    loss, _ = net.gradients(X, y)
    assert loss == pytest.approx(expected, rel=1e-12)
