"""Bad input raises ValueError naming the argument and the allowed values."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MLP, make_optimizer


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sizes": [3]}, "sizes must be"),
        ({"sizes": []}, "sizes must be"),
        ({"sizes": [2, 0, 2]}, "sizes must be"),
        ({"sizes": [2, 1.5, 2]}, "sizes must be"),
        ({"sizes": "abc"}, "sizes must be"),
        (
            {"activation": "foo"},
            "activation must be one of sigmoid, tanh, relu, leaky_relu, linear; got 'foo'",
        ),
        ({"loss": "hinge"}, "loss must be one of cross_entropy, binary_cross_entropy, mse"),
        ({"init": "ones"}, "init must be one of xavier_uniform, .*constant; got 'ones'"),
        ({"dtype": "float16"}, "dtype must be one of float32, float64"),
        ({"loss": "binary_cross_entropy"}, r"sizes\[-1\] must be 1 for binary_cross_entropy"),
        ({"sizes": [2, 1], "loss": "cross_entropy"}, r"sizes\[-1\] must be >= 2"),
        ({"l2": -1}, "l2 must be"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, match):
    kwargs = {"sizes": [2, 4, 3], **kwargs}
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match="optimizer must be one of sgd, momentum, nesterov"):
        make_optimizer("lbfgs")


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0.5, 1]])
def test_labels_out_of_range_are_rejected(labels):
    net = MLP([2, 3])
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="y "):
        net.gradients(X, labels)
    with pytest.raises(ValueError, match="y "):
        net.loss(X, labels)


def test_binary_labels_must_be_0_or_1():
    net = MLP([2, 1], loss="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"y labels must be in 0\.\.1"):
        net.train_step(np.zeros((2, 2)), [0, 2], make_optimizer("sgd"))


@pytest.mark.parametrize("shape", [(4, 3), (4,), (4, 1, 2)])
def test_inputs_with_the_wrong_shape_are_rejected(shape):
    net = MLP([2, 3])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        net.predict(np.zeros(shape))


def test_label_count_must_match_the_batch():
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        MLP([2, 3]).gradients(np.zeros((3, 2)), [0, 1])


def test_valid_edge_cases_are_accepted():
    net = MLP([1, 1], loss="mse", activation="linear")  # one input, one output
    assert net.n_classes == 2
    net.train_step(np.ones((1, 1)), np.array([1]), make_optimizer("sgd"))
    MLP([2, 3]).loss(np.zeros((2, 2)), np.array([0.0, 1.0]))  # integral float labels
