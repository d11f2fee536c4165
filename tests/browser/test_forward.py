"""static/js/forward.js in Chromium against the engine: the page's plane is the server's.

For every 2-D dataset kind, feature set, activation and loss, a session trains a few steps in
float64; the engine then draws the plane (app/training/frames/plane.py) from exactly the
weights a frame carries, and the page draws it from that frame and the dataset message. The
packed bytes must agree (a cell may differ by one level where a value sits on a rounding
edge), and so must every neuron map.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from app.training.frames import plane
from app.training.frames.page_plane import drawable
from app.training.live.session import TrainingSession

pytestmark = pytest.mark.browser

ALL = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
CASES = [
    # dataset, features, activation, loss, hidden layers
    ("xor", ["x1", "x2"], "tanh", "cross_entropy", [4, 4]),
    ("spiral", ALL, "relu", "cross_entropy", [8] * 6),
    ("circles", ["x1_sq", "x2_sq"], "sigmoid", "binary_cross_entropy", [3]),
    ("blobs", ["x1", "x2", "x1x2"], "leaky_relu", "mse", [5, 5]),
    ("moons", ["sin_x1", "sin_x2", "x1"], "linear", "cross_entropy", [6]),
    ("gauss", ["x1", "x2"], "tanh", "mse", [16, 2]),
    ("plane", ["x1", "x2", "x1_sq"], "tanh", "mse", [8, 8]),  # regression: a value grid
    ("gauss_regression", ALL, "relu", "mse", [6, 6]),
]


def raw(g: dict) -> list[int]:
    return list(base64.b64decode(g["b64"]))


def engine_plane(case) -> tuple[dict, dict, dict, list]:
    """A trained session's frame and dataset message, and the engine's plane drawn from
    the frame's own (rounded) weights."""
    name, features, activation, loss, hidden = case
    s = TrainingSession()
    cfg = {"dataset": name, "features": features, "activation": activation, "loss": loss}
    s.configure({**cfg, "hidden_layers": hidden, "dtype": "float64", "seed": 3})
    s.advance(60, None)
    assert drawable(s.net, s.data)
    frame, data = s.frame("paused"), s.dataset_message()
    for i, layer in enumerate(frame["layers"], 1):  # the weights as the page gets them
        s.net.params[f"W{i}"][...] = np.array(layer["W"], dtype=np.float64)
        s.net.params[f"b{i}"][...] = np.array(layer["b"], dtype=np.float64)
    side = frame["neurons"][0][0]["shape"][0]
    boundary, neurons, _ = plane.plane(s.net, s.data, s.grid_inputs(100), side)
    return frame, data, boundary, neurons


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_page_plane_equals_the_engines(open_page, base_url, case):
    frame, data, boundary, neurons = engine_plane(case)
    pg = open_page(base_url + "/api/health")
    side = neurons[0][0]["shape"][0]
    got = pg.evaluate(
        """async ([frame, data, side]) => {
          const { pagePlane } = await import("/static/js/forward.js");
          const p = pagePlane(frame, data, 100, side);
          const g = (d) => d && { bytes: Array.from(d.bytes), min: d.min, max: d.max,
                                  rows: d.rows, cols: d.cols };
          return { cells: g(p.boundary.cells), value: g(p.boundary.value),
                   levels: p.boundary.levels, n_classes: p.boundary.n_classes,
                   neurons: p.neurons.map((l) => l.map(g)) };
        }""",
        [frame, data, side],
    )
    regression = data["task"] == "regression"
    key = "value" if regression else "cells"
    want, mine = boundary[key], got[key]
    assert (mine["rows"], mine["cols"]) == tuple(want["shape"]) == (100, 100)
    assert mine["min"] == pytest.approx(want["min"]) and mine["max"] == pytest.approx(want["max"])
    close(mine["bytes"], raw(want))
    if not regression:
        assert (got["levels"], got["n_classes"]) == (boundary["levels"], boundary["n_classes"])
    assert [len(layer) for layer in got["neurons"]] == [len(layer) for layer in neurons]
    for mine_layer, want_layer in zip(got["neurons"], neurons, strict=True):
        for m, w in zip(mine_layer, want_layer, strict=True):
            assert (m["rows"], m["cols"]) == tuple(w["shape"])
            assert m["min"] == pytest.approx(w["min"], abs=1e-9)
            assert m["max"] == pytest.approx(w["max"], abs=1e-9)
            close(m["bytes"], raw(w))


def close(mine: list[int], want: list[int]) -> None:
    """Equal bytes, but for a rare cell one level off (a value on a rounding edge)."""
    a, b = np.array(mine), np.array(want)
    assert a.shape == b.shape
    diff = np.abs(a - b)
    assert diff.max() <= 1 and (diff > 0).mean() <= 0.002, (diff.max(), (diff > 0).sum())


def test_a_network_too_wide_for_the_page_is_not_drawn_there(open_page, base_url):
    s = TrainingSession()
    s.configure({"dataset": "xor", "hidden_layers": [32]})
    assert not drawable(s.net, s.data)
    frame, data = s.frame("paused"), s.dataset_message()
    pg = open_page(base_url + "/api/health")
    drawn = pg.evaluate(
        """async ([frame, data]) => {
          const { canDraw, pagePlane } = await import("/static/js/forward.js");
          return [canDraw(frame, data), pagePlane(frame, data)];
        }""",
        [frame, data],
    )
    assert drawn == [False, None]
