"""Frame parts for regression: the fitted curve (the value over the plane is in plane.py).

For 1-D data the curve is the picture of what a network is: the output
y_hat(x) = sum_j w_j * a_j(x) + b over the last hidden layer's units a_j, so the frame carries
each unit's contribution w_j * a_j(x) beside the sum (with relu, a sum of hinges).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.training.frames.encode import rounded
from app.training.frames.plane import MAX_NEURON_MAPS

CURVE_RES = 100  # points along x; a hinge moves by at most 1 % of the axis between samples
NEURON_CURVE_STRIDE = 4  # neuron curves: every 4th point of the curve, 25 points
MAX_UNIT_CURVES = 16  # contributions sent: the units with the largest outgoing |w|


def curve(net, xs: np.ndarray, inputs: np.ndarray) -> tuple[dict[str, Any], list[list[list]]]:
    """1-D: the network's curve over xs (R,) with inputs (R, 1), and the neuron curves.

    Returns ({x, y, units, unit_index, bias}, neurons): y (R,) the prediction; units: for up
    to MAX_UNIT_CURVES last-hidden units j (listed in unit_index), w_j * a_j(x) (R,); bias: b
    of the output, so y = sum of all units' contributions + bias. neurons: per hidden layer,
    up to MAX_NEURON_MAPS activation curves sampled every NEURON_CURVE_STRIDE-th x.
    """
    acts = net.forward_layers(inputs)
    y = np.asarray(acts[-1][:, 0], dtype=np.float64)
    units, index = [], []
    if len(acts) > 1:
        a = np.asarray(acts[-2], dtype=np.float64)  # (R, H) last hidden layer
        w = np.asarray(net.layers[-1].W[:, 0], dtype=np.float64)  # (H,)
        index = sorted(np.argsort(-np.abs(w), kind="stable")[:MAX_UNIT_CURVES].tolist())
        units = [rounded(a[:, j] * w[j], 4) for j in index]
    result = {
        "x": rounded(xs, 4),
        "y": rounded(y, 4),
        "units": units,
        "unit_index": index,
        "bias": float(net.layers[-1].b[0]),
    }
    neurons = [
        [
            rounded(np.asarray(a)[::NEURON_CURVE_STRIDE, k], 3)
            for k in range(min(a.shape[1], MAX_NEURON_MAPS))
        ]
        for a in acts[:-1]
    ]
    return result, neurons
