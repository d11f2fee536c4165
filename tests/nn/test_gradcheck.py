"""Backprop against finite differences: every activation x loss x depth, with penalties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.nn import ACTIVATIONS, LOSSES, MLP, check_gradients, numeric_gradient_entry
from app.nn.gradcheck import numeric_gradients, relative_error

from .problems import make_problem, output_size

TOLERANCE = 1e-6


@pytest.mark.parametrize("penalties", [(0.0, 0.0), (0.01, 0.03)], ids=["plain", "l1_l2"])
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_finite_differences(activation, loss, depth, penalties):
    l1, l2 = penalties
    sizes = [3] + [5] * depth + [output_size(loss, 3)]
    net, X, y = make_problem(sizes, activation, loss, seed=depth, l1=l1, l2=l2)
    assert len(X) >= 4  # enough points away from the relu kinks
    errors = check_gradients(net, X, y)
    assert set(errors) == set(net.params) | {"X"}
    assert max(errors.values()) < TOLERANCE, errors


@settings(max_examples=15, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    n_in=st.integers(1, 4),
    n_classes=st.integers(2, 4),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    loss=st.sampled_from(sorted(LOSSES)),
    seed=st.integers(0, 10_000),
)
def test_random_architectures_pass_gradient_check(hidden, n_in, n_classes, activation, loss, seed):
    if loss == "binary_cross_entropy":
        n_classes = 2
    sizes = [n_in, *hidden, output_size(loss, n_classes)]
    net, X, y = make_problem(sizes, activation, loss, seed=seed, n=6, l2=0.01)
    if len(X) < 2:
        return
    assert max(check_gradients(net, X, y).values()) < TOLERANCE


def test_gradient_check_catches_a_wrong_gradient():
    """The check can fail: a deliberately broken backward is reported."""
    net, X, y = make_problem([3, 4, 3], "tanh", "cross_entropy", seed=0)
    original = net.act.grad
    net.act.grad = lambda z, a, out=None: original(z, a, out) * 1.01  # instance override
    try:
        assert max(check_gradients(net, X, y).values()) > 1e-3
    finally:
        del net.act.grad


def test_numeric_gradient_entry_matches_the_analytic_one():
    net, X, y = make_problem([3, 5, 3], "sigmoid", "cross_entropy", seed=4)
    _, grads = net.gradients(X, y)
    before = net.copy_params()
    for name, index in [("W1", (2, 1)), ("b2", (0,)), ("W2", (4, 2))]:
        estimate = numeric_gradient_entry(net, X, y, name, index)
        assert relative_error(estimate, grads[name][index]) < 1e-6
    for name, value in before.items():  # parameters restored bit for bit
        assert np.array_equal(net.params[name], value)


def test_numeric_gradient_entry_runs_in_float64_for_a_float32_net():
    rng = np.random.default_rng(0)
    net = MLP([2, 4, 2], activation="tanh", seed=1)  # float32
    X, y = rng.normal(size=(6, 2)).astype(np.float32), rng.integers(0, 2, 6)
    exact = net.copy("float64")
    _, grads = exact.gradients(X, y)
    estimate = numeric_gradient_entry(net, X, y, "W1", (1, 3))
    assert relative_error(estimate, grads["W1"][1, 3]) < 1e-5  # weights rounded to float32
    assert net.params["W1"].dtype == np.float32


def test_numeric_gradients_cover_the_input():
    net, X, y = make_problem([2, 3, 2], "tanh", "mse", seed=1)
    numeric = numeric_gradients(net, X, y)
    net.gradients(X, y, input_grad=True)
    assert numeric["X"].shape == X.shape
    assert relative_error(numeric["X"], net.trace.layers[0].dL_da_in) < TOLERANCE


def test_relative_error_is_scale_free_above_the_floor():
    assert relative_error([1e-3], [1.001e-3]) == pytest.approx(1e-3 / 1.001, rel=1e-6)
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1e-12], [2e-12], floor=1e-8) == pytest.approx(1e-4)
