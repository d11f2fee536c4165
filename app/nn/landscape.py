"""The loss landscape: the loss over a plane through the weights (Li et al., 2018).

A network's parameters are one vector θ (P,) (`params.flat`). Two random directions δ, η
(P,) span a plane through θ*, the weights now; the picture is L(θ* + α δ + β η) over a grid
of (α, β). Raw random directions would mislead: a layer with large weights barely notices a
step that wrecks a layer of small ones. Li et al. *filter-normalise* them: every filter (here
a unit's incoming weights, one column of W) of the direction is scaled to the norm of the same
filter of the weights, so α = 1 moves every unit by as much as its own weights' size. Biases
(1-D parameters) get no direction, as in the paper's code: the plane moves weights only.

Points of the optimizer's path θ_t are placed on the plane by least squares:
(α_t, β_t) = argmin ||[δ η] (α, β)ᵀ - (θ_t - θ*)||.
"""

from __future__ import annotations

import numpy as np


def filter_normalized_direction(params, rng: np.random.Generator) -> np.ndarray:
    """A random direction (P,) float64 laid out like params.flat (a ParamDict): each column
    of each W (H_in, H_out) has the norm of the same column of W; biases 0."""
    d = np.zeros(params.flat.shape, np.float64)
    for name, p in params.items():
        if p.ndim != 2:
            continue  # biases stay put
        r = rng.standard_normal(p.shape)
        scale = np.linalg.norm(p.astype(np.float64), axis=0) / np.maximum(
            np.linalg.norm(r, axis=0), 1e-12
        )
        params.view(d, name)[...] = r * scale  # (H_in, H_out) * (H_out,): column by column
    return d


def plane_coordinates(points: np.ndarray, center: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """points: (S, P) parameter vectors, center: (P,), dirs: (P, 2) = [δ η].
    Returns (S, 2): each point's (α, β), the least-squares projection onto the plane."""
    if len(points) == 0:
        return np.zeros((0, 2))
    diff = (np.asarray(points, np.float64) - center).T  # (P, S)
    coef, *_ = np.linalg.lstsq(dirs, diff, rcond=None)  # (2, S)
    return coef.T
