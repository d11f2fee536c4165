"""The hidden-space part of frames: exact for widths 2 and 3, a labelled PCA for wider
layers, sent only while watched and within the frame budget."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.training.frames import hidden_space
from app.training.frames.encode import decode_grid
from app.training.live.config import ConfigError, TrainingConfig
from app.training.live.session import TrainingSession


def _axes(grids) -> np.ndarray:
    """Decode per-axis grids to (dims, ...)."""
    return np.array([decode_grid(g) for g in grids])


def _step(grids) -> float:
    """The quantization's tolerance: 1/255 of the widest axis range."""
    return max((g["max"] - g["min"]) / 255 for g in grids) + 1e-3


def _session(**kw) -> TrainingSession:
    return TrainingSession(TrainingConfig(**{"dataset": "spiral", "n_samples": 400, **kw}))


def test_nothing_is_sent_until_the_panel_watches():
    s = _session()
    assert s.frame()["hidden"] is None
    s.watch_hidden(1)
    assert s.frame()["hidden"] is not None
    s.watch_hidden(None)
    assert s.frame()["hidden"] is None


def test_width_2_is_exact_the_layer_activations_of_the_points_and_grid():
    s = _session(hidden_layers=[2, 5])
    s.advance(50)
    s.watch_hidden(1)
    h = s.frame()["hidden"]
    assert h["mode"] == "exact" and h["width"] == 2 and h["axes"] == ["a1", "a2"]
    raw, labels = s.hidden_view.sample(s.data)
    acts = s.net.forward_layers(s.data.transform(raw).astype(np.float32))[0]
    pts = h["points"]["coords"]
    np.testing.assert_allclose(_axes(pts)[:, 0, :].T, acts, atol=_step(pts))
    assert h["points"]["label"] == labels.tolist()
    # grid lines: first vertical line x = x0 mapped through the layer
    lines = _axes(h["lines"])  # (dims, L, P)
    assert lines.shape == (2, 2 * hidden_space.GRID_LINES, hidden_space.LINE_POINTS)
    (x0, _), (y0, y1) = s.data.bounds
    first = np.column_stack([np.full(hidden_space.LINE_POINTS, x0),
                             np.linspace(y0, y1, hidden_space.LINE_POINTS)])  # fmt: skip
    expect = s.net.forward_layers(s.data.transform(first).astype(np.float32))[0]
    np.testing.assert_allclose(lines[:, 0, :].T, expect, atol=_step(h["lines"]))
    for p, line in zip(pts, h["lines"], strict=True):  # one range per axis: they line up
        assert (p["min"], p["max"]) == (line["min"], line["max"])


def test_width_3_is_exact_in_3d():
    s = _session(hidden_layers=[3])
    s.watch_hidden(1)
    h = s.frame()["hidden"]
    assert h["mode"] == "exact" and len(h["points"]["coords"]) == 3 and len(h["lines"]) == 3


def test_wider_layers_are_a_labelled_pca_that_keeps_its_orientation():
    s = _session(hidden_layers=[8, 8])
    s.watch_hidden(2)
    first = s.frame()["hidden"]
    assert first["layer"] == 2 and first["mode"] == "pca" and first["width"] == 8
    shares = first["explained"]
    assert 0 < shares[1] <= shares[0] <= 1 and "of variance" in first["axes"][0]
    # the projection is the points' principal axes: its variance matches the top share
    raw, _ = s.hidden_view.sample(s.data)
    a = s.net.forward_layers(s.data.transform(raw).astype(np.float32))[1].astype(np.float64)
    total = np.sum(np.var(a, axis=0))
    pc = _axes(first["points"]["coords"])[:, 0, :]
    assert np.var(pc[0]) / total == pytest.approx(shares[0], rel=0.05)
    s.advance(5)  # a little training: the axes turn a little, they do not flip
    basis_before = s.hidden_view.basis.copy()
    s.frame()
    assert np.all(np.sum(basis_before * s.hidden_view.basis, axis=0) > 0)


def test_a_layer_outside_the_net_is_refused_naming_the_field():
    s = _session(hidden_layers=[4, 4])
    with pytest.raises(ConfigError, match="between 1 and 2; got 3") as err:
        s.watch_hidden(3)
    assert err.value.field == "layer"


def test_fewer_layers_after_a_rebuild_show_the_last_one():
    s = _session(hidden_layers=[4, 4, 4])
    s.watch_hidden(3)
    s.configure({"hidden_layers": [3]})
    h = s.frame()["hidden"]
    assert h["layer"] == 1 and h["width"] == 3


def test_while_running_it_comes_at_a_modest_rate_and_every_frame_stays_in_budget():
    s = _session(hidden_layers=[16, 16], n_samples=2000)
    s.watch_hidden(2)
    first = s.frame("running")
    assert first["hidden"] is not None
    assert len(json.dumps(first)) < 64_000
    view, t = s.hidden_view, s.hidden_view.last
    args = (s.net, s.data, True)
    assert hidden_space.due(view, *args, t + 0.5 * hidden_space.INTERVAL, "float32") is None
    assert hidden_space.due(view, *args, t + 1.5 * hidden_space.INTERVAL, "float32") is not None
    # paused: every frame carries it
    assert hidden_space.due(view, s.net, s.data, False, view.last, "float32") is not None


def test_regression_points_carry_their_values():
    s = TrainingSession(TrainingConfig(dataset="plane", loss="mse", hidden_layers=[2]))
    s.watch_hidden(1)
    h = s.frame()["hidden"]
    n = h["points"]["coords"][0]["shape"][1]
    assert h["points"]["label"] is None and len(h["points"]["value"]) == n


@pytest.mark.parametrize(
    ("kw", "labels"),
    [
        ({"dataset": "mnist", "hidden_layers": [32, 3]}, "label"),  # digits: 10 classes
        ({"dataset": "sine", "loss": "mse", "hidden_layers": [8]}, "value"),  # 1-D function
    ],
)
def test_digits_and_1d_data_show_their_points_without_a_grid(kw, labels):
    s = TrainingSession(TrainingConfig(**kw))
    s.advance(20)
    s.watch_hidden(1)
    h = s.frame()["hidden"]
    assert h["lines"] is None  # no input plane to draw
    coords = _axes(h["points"]["coords"])[:, 0]  # (dims, M)
    m = coords.shape[1]
    assert m == min(hidden_space.MAX_POINTS, s.data.n_train)
    assert len(h["points"][labels]) == m
    # the coordinates are the layer's activations (or their PCA) of those training rows
    idx = np.sort(np.random.default_rng(0).permutation(s.data.n_train)[:m])
    a = s.net.forward_layers(s.data.X_train[idx])[0].astype(np.float64)
    if h["mode"] == "exact":
        np.testing.assert_allclose(coords.T, a, atol=_step(h["points"]["coords"]))
    else:
        assert h["width"] == a.shape[1] and sum(h["explained"]) <= 1.0 + 1e-3  # 3 digits
    if labels == "label":
        assert sorted(set(h["points"]["label"])) == list(range(10))
