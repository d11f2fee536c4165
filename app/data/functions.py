"""Function datasets: fit y = f(x) (1-D regression) or tell which side of y = f(x) (2-D classes).

Both use the same four functions, so a student who has fitted the sine can then classify by it.
Signatures match generators.py:

    fit_*(n_samples, noise, seed, classes)  -> (X (N, 1) float64, y (N,) float64 targets)
    side_*(n_samples, noise, seed, classes) -> (X (N, 2) float64, y (N,) int64 in {0, 1})

Fitting draws x uniformly on [-3, 3] and adds Gaussian noise of sigma 0.5 * noise to the
target (targets are of order 1, so noise = 1 buries the shape, as on the other datasets).
Side classes are drawn in TensorFlow Playground's [-6, 6]^2 box with the curve stretched to fill
it; class 1 lies above the curve. Classes are balanced exactly; noise jitters the points
(sigma = 1.5 * noise), so noisy points can cross the curve.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.data.generators import class_sizes

X_RANGE = (-3.0, 3.0)  # 1-D fitting domain

# name -> (label, f on the fitting domain [-3, 3]); targets stay within about [-3, 3].
FUNCTIONS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "sine": ("sin(2x)", lambda x: np.sin(2.0 * x)),
    "abs": ("|x|", np.abs),
    "step": ("sign(x)", lambda x: np.where(x >= 0.0, 1.0, -1.0)),
    "cubic": ("x³ / 9", lambda x: x**3 / 9.0),
}


def fit(name: str) -> Callable:
    """The 1-D fitting generator for FUNCTIONS[name]."""
    f = FUNCTIONS[name][1]

    def generate(n_samples: int, noise: float, seed: int, classes: int = 0):
        rng = np.random.default_rng(seed)
        x = np.sort(rng.uniform(*X_RANGE, size=n_samples))
        y = f(x) + rng.normal(0.0, 0.5 * noise, size=n_samples)
        return x.reshape(-1, 1), y.astype(np.float64)

    generate.__name__ = f"fit_{name}"
    generate.__doc__ = f"y = {FUNCTIONS[name][0]} + noise for x in [-3, 3]."
    return generate


def curve(name: str, x: np.ndarray) -> np.ndarray:
    """The boundary y = f(x) of side_<name> in the [-6, 6]^2 box: f scaled by 2 both ways."""
    f = FUNCTIONS[name][1]
    scale = 3.0 if name in ("sine", "step") else 2.0
    shift = -3.0 if name == "abs" else 0.0
    return scale * f(x / 2.0) + shift


def side(name: str) -> Callable:
    """The 2-D classification generator: class 1 above y = curve(name, x), class 0 below."""

    def generate(n_samples: int, noise: float, seed: int, classes: int = 2):
        rng = np.random.default_rng(seed)
        sizes = class_sizes(n_samples, 2)
        parts = []
        for k, size in enumerate(sizes):
            got = np.empty((0, 2))
            while len(got) < size:  # rejection: each side holds at least a quarter of the box
                p = rng.uniform(-6.0, 6.0, size=(4 * size, 2))
                above = p[:, 1] > curve(name, p[:, 0])
                got = np.vstack([got, p[above == bool(k)]])
            parts.append(got[:size])
        X = np.concatenate(parts)
        X += rng.normal(0.0, 1.5 * noise, size=X.shape)
        return X, np.repeat(np.arange(2, dtype=np.int64), sizes)

    generate.__name__ = f"side_{name}"
    generate.__doc__ = f"Class 1 above y = {FUNCTIONS[name][0]} (stretched to [-6, 6]^2)."
    return generate
