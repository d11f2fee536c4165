"""Input features for 2-D data (TensorFlow Playground's list).

Features are computed from the *standardized* coordinates z = (x - mean) / std, so squares
and sines see values of order 1 whatever the raw scale. The feature matrix is NOT
standardized a second time: z1 and z2 are already mean 0 / std 1, z^2 and z1*z2 are of order 1
and sin z lies in [-1, 1]; keeping them unshifted keeps their meaning (x1^2 >= 0) for the
page's per-neuron pictures, and one transform serves the data, the boundary grid and probes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from app.data.errors import DataError

FEATURES: dict[str, str] = {
    "x1": "X₁",
    "x2": "X₂",
    "x1_sq": "X₁²",
    "x2_sq": "X₂²",
    "x1x2": "X₁X₂",
    "sin_x1": "sin(X₁)",
    "sin_x2": "sin(X₂)",
}
DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")

_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda z: z[:, 0],
    "x2": lambda z: z[:, 1],
    "x1_sq": lambda z: z[:, 0] ** 2,
    "x2_sq": lambda z: z[:, 1] ** 2,
    "x1x2": lambda z: z[:, 0] * z[:, 1],
    "sin_x1": lambda z: np.sin(z[:, 0]),
    "sin_x2": lambda z: np.sin(z[:, 1]),
}


def validate_features(features: Iterable[str] | str | None) -> tuple[str, ...]:
    """Check a feature choice; return it as a tuple in canonical (FEATURES) order.

    Canonical order makes the same set give the same network input, whatever order the
    page sent. None means DEFAULT_FEATURES.
    """
    if features is None:
        return DEFAULT_FEATURES
    chosen = (features,) if isinstance(features, str) else tuple(features)
    allowed = ", ".join(FEATURES)
    for f in chosen:
        if f not in FEATURES:
            raise DataError("features", f"unknown feature {f!r}; allowed: {allowed}")
    if not chosen:
        raise DataError("features", f"choose at least one feature from: {allowed}")
    if len(set(chosen)) != len(chosen):
        raise DataError("features", f"features must not repeat; got {list(chosen)}")
    return tuple(f for f in FEATURES if f in chosen)


def compute_features(z: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """z: (M, 2) standardized coordinates; returns (M, F) float64, F = len(features)."""
    z = np.asarray(z, dtype=np.float64)
    return np.column_stack([_FUNCS[f](z) for f in features])


def feature_labels(features: tuple[str, ...]) -> list[str]:
    """Display labels ("X₁²", ...) for feature ids."""
    return [FEATURES[f] for f in features]
