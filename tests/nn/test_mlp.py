"""The network's contract: inputs checked once or every step alike, dL/dX only when asked,
one forward path whose inference never disturbs a step."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import ACTIVATIONS, MLP, make_optimizer
from app.nn import activations as activation_module

from .problems import make_problem


def test_steps_checked_once_equal_steps_checked_each_time():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 3, 60)
    nets = [MLP([2, 5, 3], seed=1) for _ in range(2)]
    opts = [make_optimizer("adam", learning_rate=0.01) for _ in range(2)]
    Xc, yc = nets[1].check_inputs(X, y)  # float64 -> the net's float32, once
    assert Xc.dtype == np.float32 and yc.dtype.kind == "i"
    for start in range(0, 60, 10):
        a = nets[0].train_step(X[start : start + 10], y[start : start + 10], opts[0])
        b = nets[1].train_step(Xc[start : start + 10], yc[start : start + 10], opts[1], check=False)
        assert a == b
    for k in nets[0].params:
        assert np.array_equal(nets[0].params[k], nets[1].params[k]), k


def test_check_inputs_names_the_problem():
    net = MLP([2, 3, 2])
    with pytest.raises(ValueError, match="y labels must be in 0..1"):
        net.check_inputs(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        net.check_inputs(np.zeros((3, 4)), [0, 1, 1])


def test_input_gradient_only_when_asked():
    net, X, y = make_problem([3, 4, 2], "tanh", "cross_entropy", seed=0)
    net.gradients(X, y)
    assert net.trace.layers[0].dL_da_in is None
    net.gradients(X, y, input_grad=True)
    dX = net.trace.layers[0].dL_da_in
    np.testing.assert_allclose(dX, net.trace.layers[0].dL_dz @ net.params["W1"].T, atol=1e-15)


def test_inference_between_forward_and_trace_leaves_the_step_alone():
    net, X, y = make_problem([2, 5, 3], "relu", "cross_entropy", seed=4)
    _, grads = net.gradients(X, y)
    dW1 = grads["W1"].copy()
    other = np.random.default_rng(1).normal(size=(len(X), 2))  # same batch size
    net.forward_layers(other)
    net.predict(other)
    trace = net.trace
    assert trace.layers[0].a_in is X
    np.testing.assert_allclose(trace.layers[0].a_in.T @ trace.layers[0].dL_dz, dW1, atol=1e-15)
    np.testing.assert_allclose(trace.layers[0].z, X @ net.params["W1"] + net.params["b1"])


def test_the_identity_activation_is_called_identity():
    assert type(ACTIVATIONS["linear"]).__name__ == "Identity"
    assert not hasattr(activation_module, "Linear")  # "Linear" is the dense layer only
