"""Neuron surgery on a session's network: set one weight or bias, freeze a unit (its
parameters stop learning), kill a unit (its output is forced to 0). The engine side is
app/nn/lab.py; this checks the request against the network and says what was done.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn.lab import set_unit
from app.training.live.config import ConfigError

WEIGHT_MAX = 100.0  # an edited weight or bias lies within ±WEIGHT_MAX


def edit(session, param: str, index: list[int], value: float) -> tuple[str, dict[str, Any]]:
    """Set params[param][index] = value; returns (message, params for the status)."""
    params = session.net.params
    if param not in params:
        raise ConfigError(
            "param",
            f"param must be one of {', '.join(params)}; got {param!r}",
            "invalid_choice",
            {"allowed": list(params), "got": param},
        )
    shape = params[param].shape
    if len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape, strict=True)):
        raise ConfigError(
            "index",
            f"index for {param} must be {len(shape)} numbers within {list(shape)}; got {index}",
            "out_of_range",
            {"shape": list(shape), "got": index},
        )
    if not (np.isfinite(value) and abs(value) <= WEIGHT_MAX):
        raise ConfigError(
            "value",
            f"value must be between {-WEIGHT_MAX:g} and {WEIGHT_MAX:g}; got {value}",
            "out_of_range",
            {"min": -WEIGHT_MAX, "max": WEIGHT_MAX, "got": value},
        )
    params[param][tuple(index)] = value
    where = f"{param}[{', '.join(map(str, index))}]"
    return f"Set {where} to {value:g}", {"param": param, "index": index, "value": value}


def operate(session, what: str, layer: int, unit: int, on: bool) -> tuple[str, dict[str, Any]]:
    """Freeze (what="frozen") or kill (what="killed") a unit, or undo it (on=False)."""
    try:
        session.net = set_unit(session.net, what, layer, unit, on)
    except ValueError as e:
        text = str(e)
        raise ConfigError(text.split()[0].rstrip(":"), text, "out_of_range") from None
    verb = {"frozen": ("Froze", "Thawed"), "killed": ("Killed", "Revived")}[what][not on]
    params = {"layer": layer, "unit": unit, "on": on, "what": what}
    return f"{verb} unit {unit + 1} of layer {layer}", params
