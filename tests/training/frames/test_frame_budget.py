"""The frame budget: plane resolution and cadence from cost, small frames, rolling numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.nn import MLP
from app.training.frames import plane
from app.training.frames.encode import decode_grid
from app.training.frames.evaluation import BLOCK, SplitEval
from app.training.live.session import TrainingSession

BIG = {"dataset": "spiral", "hidden_layers": [256] * 8, "activation": "relu"}


def size_kb(frame: dict) -> float:
    return len(json.dumps(frame, separators=(",", ":"))) / 1024


def test_planner_gives_a_costlier_network_a_coarser_or_rarer_plane():
    planner = plane.PlanePlanner()
    planner.record([2, 4, 4, 2], 100, 1.0)  # a measured machine: XOR's plane costs 1 ms
    small = planner.plan([2, 4, 4, 2], budget_ms=5.0)
    big = planner.plan([2, *[256] * 8, 3], budget_ms=5.0)
    assert small == plane.Plan(plane.FULL_RES, 1)
    assert (big.res, -big.every) < (small.res, -small.every)
    assert planner.cost_ms([2, *[256] * 8, 3], big.res) <= big.every * 5.0
    assert planner.plan([2, *[256] * 8, 3], None) == plane.Plan(plane.FULL_RES, 1)  # no limit


def test_planner_does_not_flicker_between_two_resolutions():
    planner = plane.PlanePlanner()
    sizes = [2, 8, 8, 2]
    planner.record(sizes, 50, 1.0)
    budget = planner.cost_ms(sizes, 64) * 1.05  # 64 fits, 80 does not
    assert planner.plan(sizes, budget).res == 64
    planner.plan(sizes, budget * 0.9)  # a busier moment: coarser
    assert planner.plan(sizes, budget).res != 64  # back to 64 only with room to spare
    assert planner.plan(sizes, budget / 0.7).res == 64


def test_boundary_packs_class_and_confidence_in_one_byte():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 3)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    cells, levels = plane.pack_boundary(probs, 3)
    assert levels == 85 and cells.max() <= 255
    np.testing.assert_array_equal(cells // levels, probs.argmax(axis=1))
    conf = 1 / 3 + (cells % levels) / (levels - 1) * (2 / 3)
    np.testing.assert_allclose(conf, probs.max(axis=1), atol=0.5 / (levels - 1))
    p1 = rng.random((200, 1))  # one sigmoid unit: P(class 1)
    cells, levels = plane.pack_boundary(p1, 2)
    np.testing.assert_array_equal(cells // levels, (p1[:, 0] > 0.5).astype(int))


def test_neuron_maps_come_at_the_drawn_size_within_their_byte_budget():
    assert plane.neuron_size(drawn=12, res=100, n_maps=8) == 12
    assert plane.neuron_size(drawn=40, res=32, n_maps=8) == 32  # never finer than the plane
    side = plane.neuron_size(drawn=40, res=100, n_maps=128)
    assert 4 <= side < 40 and 128 * (plane.GRID_JSON + side * side * 4 / 3) <= plane.NEURON_JSON
    s = TrainingSession()
    s.frames.neuron_px = 12
    assert decode_grid(s.frame()["neurons"][1][3]).shape == (12, 12)


@pytest.mark.parametrize("state", ["running", "paused"])
def test_the_largest_network_streams_small_frames_with_every_number(state):
    s = TrainingSession()
    s.configure(BIG)
    s.advance(2)
    for _ in range(3):  # a running frame budget as one tab gets it at 30 frames/s
        frame = s.frame(state, budget_ms=None if state == "paused" else 11.0)
        assert size_kb(frame) <= 64
        assert frame["train"]["loss"] is not None and frame["test"]["accuracy"] is not None
        assert all(layer["grad_norm"] is not None for layer in frame["layers"])
        if frame["neurons"] is not None:
            assert [len(maps) for maps in frame["neurons"]] == [16] * 8


def test_a_coarse_plane_says_so_and_a_paused_frame_is_sharp():
    s = TrainingSession()
    s.configure({"dataset": "spiral", "hidden_layers": [64] * 4})
    s.frames.planner.record(s.net.sizes, 100, 100.0)  # as measured on a slow machine
    running = [s.frame("running", budget_ms=5.0) for _ in range(8)]
    planes = [f["boundary"] for f in running if f["boundary"] is not None]
    assert planes and len(planes) < len(running)  # spread over frames
    assert all(b["resolution"] < b["full_resolution"] for b in planes)
    sharp = s.frame("paused")["boundary"]
    assert sharp["resolution"] == plane.FULL_RES == decode_grid(sharp["cells"]).shape[0]


def test_rolling_evaluation_covers_the_whole_split():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5 * BLOCK + 17, 3))
    y = rng.integers(0, 2, len(X))
    net = MLP([3, 5, 2], activation="tanh", loss="cross_entropy", dtype="float64")
    exact = net.evaluate(X, y)
    ev = SplitEval(X, y)
    ev.measure(net)  # learns the cost per row
    seen = set()
    for _ in range(6):
        ev.ms_per_row = 1.0  # a budget of one block a frame
        seen.add(ev.cursor)
        metrics, acts = ev.measure(net, budget_ms=BLOCK)
        assert acts[0].shape[0] <= BLOCK
    assert seen == set(range(6))
    assert metrics["loss"] == pytest.approx(exact[0], rel=1e-9)
    assert metrics["accuracy"] == pytest.approx(exact[1], rel=1e-9)


def test_mnist_confusion_comes_from_the_test_evaluation():
    s = TrainingSession()
    s.configure({"dataset": "mnist", "hidden_layers": [32], "batch_size": 32})
    s.advance(20)
    confusion = np.array(s.frame()["mnist"]["confusion"])
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (s.y_test, s.net.predict(s.X_test)), 1)
    np.testing.assert_array_equal(confusion, expected)
