"""Symmetric inits (zeros, constant) keep every unit of a layer a copy of the others."""

from __future__ import annotations

import pytest

from app.nn import MLP, make_optimizer
from app.nn.symmetry import distinct_units

from .problems import blobs


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_keeps_one_distinct_unit_per_layer_after_training(init):
    X, y = blobs(30, 3, seed=0)
    net = MLP([2, 8, 8, 3], "tanh", init=init, seed=0)
    opt = make_optimizer("momentum", learning_rate=0.1)
    for _ in range(200):
        net.train_step(X, y, opt)
    assert [distinct_units(Wb) for Wb in net.params.blocks[:-1]] == [1, 1]
    assert net.loss(X, y) < 1.0986 or init == "zeros"  # constant still learns a little


def test_random_init_gives_every_unit_its_own_function():
    net = MLP([2, 8, 8, 3], "tanh", init="xavier_uniform", seed=0)
    assert [distinct_units(Wb) for Wb in net.params.blocks] == [8, 8, 3]
    net.params["W1"][:, 3] = net.params["W1"][:, 5]
    assert distinct_units(net.params.blocks[0]) == 7
