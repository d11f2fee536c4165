"""The dense layer and the parameter layout behind it (the bias trick)."""

from __future__ import annotations

import numpy as np

from app.nn import MLP, make_optimizer
from app.nn.layers import Linear


def test_one_product_with_a_column_of_ones_is_x_at_W_plus_b_and_its_gradients():
    rng = np.random.default_rng(0)
    x, dz = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    Wb, dWb = rng.normal(size=(4, 4)), np.empty((4, 4))
    layer = Linear(Wb, dWb)
    x1 = np.hstack([x, np.ones((5, 1))])

    z = layer.forward(x1, np.empty((5, 4)))
    np.testing.assert_allclose(z, x @ Wb[:3] + Wb[3], rtol=1e-14)

    dx = layer.backward(x1.T, dz, np.empty((5, 3)))
    np.testing.assert_allclose(layer.dW, x.T @ dz, rtol=1e-13)
    np.testing.assert_allclose(layer.db, dz.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(dx, dz @ Wb[:3].T, rtol=1e-13)
    assert layer.backward(x1.T, dz, None) is None  # the first layer skips dL/dx


def test_params_are_views_of_each_layers_block_and_of_one_flat_vector():
    net = MLP([2, 3, 2], seed=0)
    W1, b1, W2 = net.params["W1"], net.params["b1"], net.params["W2"]
    assert net.params.flat.size == (2 + 1) * 3 + (3 + 1) * 2
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    b1[...] = [1.0, 2.0, 3.0]
    W2[0, 1] = 7.0
    assert np.array_equal(net.layers[0].b, [1.0, 2.0, 3.0])  # the layer sees the same memory
    assert net.layers[1].Wb[0, 1] == 7.0 and W1.base is not None
    assert np.array_equal(net.params.flat[6:9], [1.0, 2.0, 3.0])  # b1 follows W1 (2 x 3)
    assert np.shares_memory(net.grads["b2"], net.grads.flat)


def test_a_bias_learns_like_any_other_weight():
    """The ones column makes b a weight: one SGD step moves it by -lr * sum of dL/dz."""
    net = MLP([2, 4, 2], dtype="float64", seed=1)
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    y = np.array([0, 1, 1])
    before = net.copy_params()
    net.train_step(X, y, make_optimizer("sgd", learning_rate=0.1))
    dz = net.trace.layers[-1].dL_dz
    np.testing.assert_allclose(net.params["b2"], before["b2"] - 0.1 * dz.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(net.trace.layers[0].z, X @ before["W1"] + before["b1"], rtol=1e-12)
