"""L1 and L2 weight penalties (biases are not penalised).

    penalty(W)   = l1 * sum|W| + 0.5 * l2 * sum W^2
    d penalty/dW = l1 * sign(W) + l2 * W

The 1/2 makes the L2 gradient exactly l2 * W ("weight decay"). sign(0) = 0 is the
subgradient used at the L1 kink. The penalty is added once per batch (not per example), to
the mean data loss.
"""

from __future__ import annotations

import numpy as np


def penalty(weights: list[np.ndarray], l1: float, l2: float) -> float:
    """weights: every layer's W (any shapes); returns l1 * sum|W| + 0.5 * l2 * sum W^2
    over all of them, as a float."""
    total = 0.0
    for w in weights:
        if l1:
            total += l1 * float(np.abs(w).sum())
        if l2:
            flat = w.reshape(-1)
            total += 0.5 * l2 * float(flat @ flat)
    return total


def add_penalty_grad(w: np.ndarray, dw: np.ndarray, l1: float, l2: float) -> None:
    """w, dw: same shape; adds l1 * sign(w) + l2 * w to dw in place."""
    if l2:
        dw += l2 * w
    if l1:
        dw += l1 * np.sign(w)
