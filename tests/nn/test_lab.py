"""The lab network: each planted bug is caught (gradient check or loss curve), surgery is
exact, and a network with nothing planted is the fast engine again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.nn import MLP, check_gradients, make_optimizer
from app.nn.bugs import BUGS, reveal, shows_in
from app.nn.lab import LabMLP, plant, set_unit, surgery

from .problems import blobs, make_problem

GRADIENT_BUGS = [b for b in BUGS if b != "update_sign"]
ROOT = Path(__file__).resolve().parents[2]


def hunt_problem(loss="cross_entropy", l2=0.01):
    """A 2-4-4-C tanh net (a square W2, as the page's default), with an L2 rate."""
    out = 1 if loss == "binary_cross_entropy" else 3
    return make_problem([2, 4, 4, out], "tanh", loss, seed=3, n=8, l2=l2)


def train(net, X, y, steps=60, lr=0.1):
    opt = make_optimizer("sgd", learning_rate=lr)
    losses = [net.train_step(X, y, opt) for _ in range(steps)]
    return losses


@pytest.mark.parametrize("bug", GRADIENT_BUGS)
def test_gradcheck_catches_each_planted_gradient_bug(bug):
    net, X, y = hunt_problem()
    assert max(check_gradients(net, X, y).values()) < 1e-6  # the true engine passes
    assert shows_in(bug, net)
    plant(net, bug)
    errors = check_gradients(net, X, y)  # on a float64 copy: the copy keeps the bug
    worst = max(v for k, v in errors.items() if k != "X")
    assert worst > 1e-3, (bug, errors)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
@pytest.mark.parametrize("bug", ["onehot_forgotten", "no_batch_mean", "bias_wrong_axis"])
def test_loss_side_bugs_are_caught_for_every_loss(bug, loss):
    net, X, y = hunt_problem(loss)
    plant(net, bug)
    assert max(v for k, v in check_gradients(net, X, y).items() if k != "X") > 1e-3


@pytest.mark.parametrize("bug", list(BUGS))
def test_each_bug_changes_training(bug):
    net, X, y = hunt_problem()
    buggy = net.copy()
    plant(buggy, bug)
    right, wrong = train(net, X, y), train(buggy, X, y)
    assert not np.allclose(net.params.flat, buggy.params.flat, atol=1e-4)
    if bug == "update_sign":  # the gradients are right: the loss curve gives it away
        assert right[-1] < right[0] and wrong[-1] > wrong[0]
        assert max(check_gradients(buggy, X, y).values()) < 1e-6


def test_plant_none_gives_back_the_fast_engine_and_the_lab_path_matches_it():
    X, y = blobs(20, 3, seed=1)
    fast = MLP([2, 5, 5, 3], "relu", seed=2)
    lab = fast.copy()
    plant(lab, "no_batch_mean")
    plant(lab, None)
    assert type(lab) is MLP and not hasattr(lab, "bug")
    operated = fast.copy()
    set_unit(operated, "frozen", 1, 0, True)
    set_unit(operated, "frozen", 1, 0, False)  # nothing left: the fast engine again
    assert type(operated) is MLP
    # The lab's own loop (nothing planted, one unit frozen then thawed in a copy) trains
    # exactly as the fast engine does.
    slow = fast.copy()
    set_unit(slow, "killed", 2, 4, True)
    slow.alive[1] = None  # keep the lab loop but kill nothing
    a, b = train(fast, X, y, 30), train(slow, X, y, 30)
    assert isinstance(slow, LabMLP)
    np.testing.assert_allclose(a, b, rtol=1e-5)
    np.testing.assert_allclose(fast.params.flat, slow.params.flat, rtol=1e-4, atol=1e-6)


def test_a_killed_unit_outputs_zero_and_its_gradients_are_exact():
    net, X, y = make_problem([2, 5, 4, 3], "tanh", "cross_entropy", seed=5, l2=0.02)
    set_unit(net, "killed", 1, 2, True)
    acts = net.forward_layers(X)
    assert np.all(acts[0][:, 2] == 0) and np.any(acts[0][:, 1] != 0)
    errors = check_gradients(net, X, y)
    assert max(errors.values()) < 1e-6, errors  # the lab's backward is right, kill included
    net.gradients(X, y)
    data = net.trace.layers[0]  # the data part: only L2 pulls on the dead unit's weights
    assert np.all(data.dW_data[:, 2] == 0) and data.db[2] == 0
    assert surgery(net) == {"frozen": [], "killed": [[1, 2]]}


def test_a_frozen_unit_keeps_its_weights_under_adam_and_the_rest_learn():
    net, X, y = make_problem([2, 5, 4, 3], "tanh", "cross_entropy", seed=6)
    opt = make_optimizer("adam", learning_rate=0.05)
    for _ in range(5):  # Adam's moments fill up first: freezing must still hold
        net.train_step(X, y, opt)
    set_unit(net, "frozen", 2, 1, True)
    set_unit(net, "frozen", 3, 0, True)  # an output unit may be frozen too
    before = net.copy_params()
    for _ in range(20):
        net.train_step(X, y, opt)
    assert np.array_equal(net.params["W2"][:, 1], before["W2"][:, 1])
    assert net.params["b2"][1] == before["b2"][1]
    assert np.array_equal(net.params["W3"][:, 0], before["W3"][:, 0])
    assert not np.array_equal(net.params["W2"][:, 0], before["W2"][:, 0])
    assert not np.array_equal(net.params["W1"], before["W1"])


@pytest.mark.parametrize(
    ("what", "layer", "unit", "field"),
    [("killed", 3, 0, "layer"), ("frozen", 4, 0, "layer"), ("killed", 1, 5, "unit")],
)
def test_out_of_range_units_are_refused_naming_the_field(what, layer, unit, field):
    net = MLP([2, 5, 4, 3])
    with pytest.raises(ValueError, match=f"^{field} must be between"):
        set_unit(net, what, layer, unit, True)
    assert type(net) is MLP


def test_shows_in_says_when_a_bug_cannot_show():
    relu = MLP([2, 4, 4, 1], "relu", loss="binary_cross_entropy")
    assert not shows_in("fprime_of_a", relu) and shows_in("no_activation_grad", relu)
    assert not shows_in("w_not_transposed", MLP([2, 4, 3, 2])) and not shows_in(
        "l2_grad_missing", relu
    )


@pytest.mark.parametrize("bug", list(BUGS))
def test_reveal_quotes_the_right_line_from_the_source(bug):
    r = reveal(bug)
    path, line = r["where"].rsplit(":", 1)
    text = (ROOT / path).read_text().splitlines()[int(line) - 1]
    assert text.strip() == r["right"] and r["wrong"] and r["wrong"] != r["right"]
