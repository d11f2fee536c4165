"""Unit health: how many hidden units still pass gradient.

Two ways a hidden layer stops learning, each with one statistic (the page shows these):

    saturated   sigmoid/tanh outputs within 3% of a limit (|tanh| > 0.97, sigmoid below
                0.015 or above 0.985): there f'(z) < 0.06, so gradients through them fade.
                Counted per output entry: a (N, H) batch gives the share of its N*H entries.
    dead        relu units that output exactly 0 for every input of the batch: relu'(z) = 0
                there, so no gradient ever reaches their weights again. Counted per unit.

leaky_relu never dies (its slope is 0.01, not 0) and linear never saturates: both get None,
as do the statistics that do not apply to an activation.
"""

from __future__ import annotations

import numpy as np

SATURATION_THRESHOLD = 0.97


def saturation_share(name: str, a: np.ndarray) -> float | None:
    """a: (N, H) outputs of a sigmoid or tanh layer; returns the share of its N*H entries
    that are saturated, or None when the activation does not saturate."""
    if name == "tanh":
        return float(np.mean(np.abs(a) > SATURATION_THRESHOLD))
    if name == "sigmoid":  # sigmoid(z) = (1 + tanh(z/2)) / 2, so 2a - 1 plays tanh's role
        return float(np.mean(np.abs(2.0 * np.asarray(a) - 1.0) > SATURATION_THRESHOLD))
    return None


def dead_share(name: str, a: np.ndarray) -> float | None:
    """a: (N, H) outputs of a relu layer over a batch; returns the share of the H units that
    output exactly 0 for all N inputs, or None for activations that cannot die."""
    if name != "relu":
        return None
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[None, :]
    return float(np.mean(~np.any(a != 0, axis=0)))


def unit_health(name: str, a: np.ndarray) -> tuple[float | None, float | None]:
    """a: (N, H) outputs of a hidden layer with activation `name`; returns (saturated share,
    dead share), each None where it does not apply."""
    return saturation_share(name, a), dead_share(name, a)
