"""The hidden space: the data and the input plane's grid lines as one hidden layer sees them.

Any data: 2-D points come with the input plane's grid; MNIST digits, table rows and 1-D
points come alone (there is no plane to draw), coloured by class or target as ever.

A layer of width 2 or 3 is drawn exactly (its activations are the coordinates); a wider
layer is projected on the two principal components of its activations on the shown points,
labelled with the share of variance each keeps. Watching the grid bend frame by frame shows
how the layers pull the classes apart until a line (the output layer) can split them.

Sized for the frame budget: at most MAX_POINTS points and 2 * GRID_LINES lines of LINE_POINTS
points each, as quantized grids (one byte a coordinate, 1/255 of the axis's range, which is
finer than a pixel of the panel): about 3 KB, sent at most every INTERVAL seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.training.frames.encode import grid, rounded

MAX_POINTS = 250
GRID_LINES = 9  # per direction
LINE_POINTS = 30
INTERVAL = 0.2  # seconds between hidden-space parts while training runs


class HiddenView:
    """What one tab watches: the hidden layer (1-based) and the PCA basis last shown.

    Keeping the basis lets each new projection keep the previous one's orientation, so the
    picture turns smoothly instead of flipping when a component's sign flips.
    """

    def __init__(self, layer: int):
        self.layer = layer
        self.basis: np.ndarray | None = None  # (H, 2) principal axes of the last frame
        self.last = 0.0  # monotonic time of the last part sent

    def sample(self, data) -> tuple[np.ndarray, np.ndarray]:
        """Up to MAX_POINTS train points, the same every frame, and their labels (M,): raw
        (M, 2) for 2-D data (the grid's coordinates), else the network's inputs (M, F)."""
        n = len(data.y_train)
        idx = np.arange(n)
        if n > MAX_POINTS:
            idx = np.sort(np.random.default_rng(0).permutation(n)[:MAX_POINTS])
        rows = data.raw_train if data.kind == "2d" else data.X_train
        return rows[idx], data.y_train[idx]


def grid_lines(bounds) -> np.ndarray:
    """Raw points of the input grid: (2 * GRID_LINES, LINE_POINTS, 2); vertical lines first."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, GRID_LINES), np.linspace(y0, y1, GRID_LINES)
    tx, ty = np.linspace(x0, x1, LINE_POINTS), np.linspace(y0, y1, LINE_POINTS)
    vertical = np.stack([np.column_stack([np.full(LINE_POINTS, x), ty]) for x in xs])
    horizontal = np.stack([np.column_stack([tx, np.full(LINE_POINTS, y)]) for y in ys])
    return np.concatenate([vertical, horizontal])


def due(view: HiddenView | None, net, data, running: bool, now: float, dtype) -> dict | None:
    """The part for this frame, or None: nothing watched, no hidden layer, or (while
    training runs) less than INTERVAL since the last part."""
    if view is None or len(net.sizes) < 3:
        return None
    if running and now - view.last < INTERVAL:
        return None
    view.last = now
    return build(net, data, view, dtype)


def build(net, data, view: HiddenView, dtype) -> dict[str, Any]:
    """The hidden-space part of a frame for `view.layer` (clamped to the hidden layers).

    Returns {layer, width, mode ("exact" | "pca"), axes (names), explained (PCA shares or
    None), points: {coords: [grid (1, M) per axis], label: [M] (classes) or value: [M]
    (regression)}, lines: [grid (L, P) per axis] (2-D data) or None}. An axis's points and
    lines share one range, so they line up.
    """
    n_hidden = len(net.sizes) - 2
    layer = min(max(view.layer, 1), n_hidden)
    points, labels = view.sample(data)
    n_lines = 0
    if data.kind == "2d":  # raw points and the grid, through the same map
        lines = grid_lines(data.bounds)
        n_lines = lines.shape[0]
        points = data.transform(np.concatenate([points, lines.reshape(-1, 2)]))
    inputs = np.ascontiguousarray(points, dtype=dtype)
    a = np.asarray(net.forward_layers(inputs)[layer - 1], dtype=np.float64)  # (M + L*P, H)
    width = a.shape[1]
    m = len(labels)
    explained = None
    if width <= 3:
        coords = a
        axes = [f"a{k + 1}" for k in range(width)]
        mode = "exact"
    else:
        coords, explained = _project(a, m, view)
        axes = [f"PC{k + 1} ({share:.0%} of variance)" for k, share in enumerate(explained)]
        mode = "pca"
    dims = coords.shape[1]
    line_coords = coords[m:].reshape(n_lines, LINE_POINTS, dims)
    finite = np.where(np.isfinite(coords), coords, 0.0)
    ranges = [(float(finite[:, d].min()), float(finite[:, d].max())) for d in range(dims)]
    return {
        "layer": layer,
        "width": width,
        "mode": mode,
        "axes": axes,
        "explained": rounded(np.asarray(explained), 3) if explained is not None else None,
        "points": {"coords": [grid(coords[None, :m, d], *ranges[d]) for d in range(dims)],
                   "label": None if data.is_regression else labels.tolist(),
                   "value": rounded(labels, 3) if data.is_regression else None},
        "lines": [grid(line_coords[:, :, d], *ranges[d]) for d in range(dims)] if n_lines
        else None,
    }  # fmt: skip


def _project(a: np.ndarray, m: int, view: HiddenView) -> tuple[np.ndarray, list[float]]:
    """PCA of the points' activations a[:m] (rows past m, the grid, use the same map).

    a: (K, H); returns (K, 2) coordinates and the two components' shares of the variance.
    """
    centre = a[:m].mean(axis=0)
    _, s, vt = np.linalg.svd(a[:m] - centre, full_matrices=False)
    basis = vt[:2].T  # (H, 2)
    if basis.shape[1] < 2:  # fewer points than two components: pad with a zero axis
        basis = np.column_stack([basis, np.zeros(len(basis))])
    if view.basis is not None and view.basis.shape == basis.shape:
        flip = np.sign(np.sum(basis * view.basis, axis=0))
        basis = basis * np.where(flip == 0, 1.0, flip)  # keep last frame's orientation
    view.basis = basis
    var = s**2
    total = float(var.sum()) or 1.0
    shares = [float(v / total) for v in var[:2]] + [0.0] * (2 - len(var[:2]))
    return (a - centre) @ basis, shares
