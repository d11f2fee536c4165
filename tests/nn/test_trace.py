"""The trace holds every chain-rule quantity, and they are the arrays the step used."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MLP, make_optimizer

from .problems import make_problem


@pytest.mark.parametrize("penalties", [(0.0, 0.0), (0.02, 0.05)])
@pytest.mark.parametrize(
    "activation, loss", [("tanh", "cross_entropy"), ("relu", "mse"), ("sigmoid", "mse")]
)
def test_trace_satisfies_the_chain_rule(activation, loss, penalties):
    l1, l2 = penalties
    net, X, y = make_problem([3, 6, 5, 4], activation, loss, seed=3, l1=l1, l2=l2)
    loss_value, grads = net.gradients(X, y, input_grad=True)  # dL/dX only when asked
    trace = net.trace
    assert len(trace.layers) == 3
    assert trace.loss == loss_value == pytest.approx(trace.data_loss + trace.penalty)
    assert (trace.penalty > 0) == (l1 + l2 > 0)
    for i, layer in enumerate(trace.layers, start=1):
        W, b = net.params[f"W{i}"], net.params[f"b{i}"]
        np.testing.assert_allclose(layer.z, layer.a_in @ W + b, rtol=0, atol=1e-12)
        data_part = layer.a_in.T @ layer.dL_dz
        np.testing.assert_allclose(layer.dW_data, data_part, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            layer.dW, data_part + l2 * W + l1 * np.sign(W), rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(layer.db, layer.dL_dz.sum(axis=0), rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.dL_da_in, layer.dL_dz @ W.T, rtol=0, atol=1e-12)
        assert layer.dW is grads[f"W{i}"] and layer.db is grads[f"b{i}"]
        if i < 3:  # hidden layer: dL/dz = dL/da * f'(z), and f' is the activation's
            np.testing.assert_allclose(layer.dL_dz, layer.dL_da * layer.f_prime, atol=1e-12)
            np.testing.assert_allclose(layer.f_prime, net.act.grad(layer.z, layer.a), atol=0)
            assert layer.dL_da is trace.layers[i].dL_da_in  # the layer above's input grad
            assert layer.a is trace.layers[i].a_in
        else:  # the output layer's dL/dz comes from the fused loss
            assert layer.dL_da is None and layer.f_prime is None
            assert layer.dL_dz is trace.dL_dz_out
            np.testing.assert_allclose(layer.dL_dz, net.loss_fn.grad(layer.z, y), atol=1e-15)
    assert trace.y_hat is trace.layers[-1].a
    np.testing.assert_allclose(trace.y_hat, net.predict_proba(X), atol=1e-15)
    np.testing.assert_array_equal(trace.labels, y)
    assert trace.layers[0].a_in is X  # float64 input used as is, no copy


def test_trace_without_penalty_has_dW_data_identical_to_dW():
    net, X, y = make_problem([2, 3, 2], "tanh", "cross_entropy", seed=0)
    net.gradients(X, y)
    assert all(layer.dW_data is layer.dW for layer in net.trace.layers)


def test_trace_is_none_before_any_step():
    assert MLP([2, 2]).trace is None


def test_sgd_update_is_exactly_minus_lr_times_the_traced_gradient():
    net, X, y = make_problem([3, 5, 4, 3], "tanh", "cross_entropy", seed=5, l1=0.01, l2=0.1)
    before = net.copy_params()
    opt = make_optimizer("sgd", learning_rate=0.3)
    net.train_step(X, y, opt)
    trace = net.trace
    for i, layer in enumerate(trace.layers, start=1):
        for name, grad in ((f"W{i}", layer.dW), (f"b{i}", layer.db)):
            expected = before[name] + (-0.3 * grad)
            assert np.array_equal(net.params[name], expected)
            assert np.array_equal(opt.last_update[name], -0.3 * grad)
    assert trace.layers[0].dL_da_in is None  # train_step skips dL/dX


def test_trace_is_overwritten_by_the_next_step_but_copy_survives():
    net, X, y = make_problem([2, 4, 2], "tanh", "cross_entropy", seed=2)
    opt = make_optimizer("sgd", learning_rate=0.5)
    net.train_step(X, y, opt)
    live, kept = net.trace, net.trace.copy()
    z_before = kept.layers[0].z.copy()
    net.train_step(X, y, opt)
    assert np.array_equal(kept.layers[0].z, z_before)
    assert not np.array_equal(live.layers[0].z, z_before)  # the buffer moved on
    assert kept.layers[0].z is not live.layers[0].z


def test_params_stay_the_same_objects_through_training():
    net, X, y = make_problem([2, 4, 2], "relu", "cross_entropy", seed=2)
    ids = {k: id(v) for k, v in net.params.items()}
    opt = make_optimizer("adam", learning_rate=0.01)
    for _ in range(5):
        net.train_step(X, y, opt)
    assert {k: id(v) for k, v in net.params.items()} == ids
    assert list(net.params) == ["W1", "b1", "W2", "b2"]


def test_forward_layers_matches_the_trace_and_leaves_it_alone():
    net, X, y = make_problem([3, 5, 4, 3], "sigmoid", "cross_entropy", seed=1)
    net.gradients(X, y)
    z1 = net.trace.layers[0].z.copy()
    acts = net.forward_layers(X)
    assert [a.shape for a in acts] == [(len(X), 5), (len(X), 4), (len(X), 3)]
    for a, layer in zip(acts, net.trace.layers, strict=True):
        np.testing.assert_allclose(a, layer.a, atol=1e-15)
    net.forward_layers(X[:2])
    assert np.array_equal(net.trace.layers[0].z, z1)
