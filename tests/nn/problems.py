"""Helpers shared by the engine tests: small problems made inline with numpy."""

from __future__ import annotations

import numpy as np

from app.nn import MLP


def output_size(loss: str, n_classes: int) -> int:
    return 1 if loss == "binary_cross_entropy" else n_classes


def away_from_kinks(net: MLP, X: np.ndarray, margin: float = 0.02) -> np.ndarray:
    """Rows of X whose hidden pre-activations all have |z| > margin.

    Finite differences across a relu kink measure a different function; the 4-point rule
    moves z by at most ~2h|x| (about 1e-3 here), so a 0.02 margin keeps every estimate on
    one side of the kink."""
    keep = np.ones(len(X), bool)
    a = X
    for layer in net.layers[:-1]:
        z = a @ layer.W + layer.b
        keep &= np.all(np.abs(z) > margin, axis=1)
        a = net.act.fn(z)
    return X[keep]


def make_problem(sizes, activation, loss, seed, n=8, **kw):
    """returns (float64 net, X (<= n, D) away from relu kinks, y (<= n,) labels)."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation=activation, loss=loss, dtype="float64", seed=seed, **kw)
    X = away_from_kinks(net, rng.normal(size=(4 * n, sizes[0])))[:n]
    y = rng.integers(0, net.n_classes, len(X))
    return net, X, y


def blobs(n_per_class: int, n_classes: int, seed: int, spread: float = 0.6):
    """Gaussian blobs around points on a circle of radius 3: X (n, 2), y (n,)."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = centres[y] + spread * rng.normal(size=(len(y), 2))
    order = rng.permutation(len(y))
    return X[order], y[order]
