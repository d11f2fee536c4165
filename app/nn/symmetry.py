"""Distinct units: how many different functions a layer's units compute.

Two units of a layer compute the same function of the layer's input exactly when their
incoming weights and biases are equal (a column of the block [W; b]). Equal columns get equal
gradients, so with zeros or constant init every unit of a layer stays a copy of the others
however long it trains: "distinct units: 1 of 8". Random init breaks that symmetry.
"""

from __future__ import annotations

import numpy as np

DECIMALS = 5  # columns equal to 5 significant digits of the layer's largest weight are one


def distinct_units(Wb: np.ndarray) -> int:
    """Wb: (in+1, out) a layer's [W; b]; returns how many different columns it has (1..out)."""
    scale = float(np.max(np.abs(Wb))) if Wb.size else 0.0
    if not np.isfinite(scale):
        return int(Wb.shape[1])
    cols = np.round(Wb.T / (scale or 1.0), DECIMALS) + 0.0  # + 0.0: -0.0 and 0.0 are one
    return int(np.unique(cols, axis=0).shape[0])
