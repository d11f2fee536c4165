"""Hidden layers in the config: a width (8), or an object with the layer's own settings.

    {"units": 8, "activation": "relu", "norm": "none" | "batch" | "layer",
     "dropout": 0.0-0.9, "residual": false}

Only "units" is required; a missing activation means the config's `activation`. An object
with nothing but units (and defaults) is stored as its width, so plain configs, URLs and run
files stay lists of numbers. Errors name hidden_layers, the index and the key.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from app.errors import ClientError, got
from app.nn import ACTIVATIONS
from app.nn.blocks import MAX_DROPOUT, NORMS

MAX_NEURONS = 256
LAYER_KEYS = ("units", "activation", "norm", "dropout", "residual")


def parse_layers(v: list[Any]) -> list[Any]:
    """Every hidden_layers entry checked and made canonical (a width, or a full object)."""
    layers = [_layer(i, entry) for i, entry in enumerate(v)]
    for i in range(1, len(layers)):
        entry, below = layers[i], layer_widths(layers)[i - 1]
        if isinstance(entry, dict) and entry["residual"] and entry["units"] != below:
            raise PydanticCustomError(
                "invalid_value",
                f"hidden_layers[{i}]: a residual layer needs as many units as its input "
                f"({below}); got {entry['units']}",
                {"index": i, "key": "residual", "units": entry["units"], "input": below},
            )
    return layers


def _layer(i: int, entry: Any) -> int | dict[str, Any]:
    """One hidden_layers entry: a width, or an object (a plain one becomes its width)."""
    if isinstance(entry, dict):
        for key in entry:
            if key not in LAYER_KEYS:
                raise PydanticCustomError(
                    "unknown_field",
                    f"hidden_layers[{i}]: unknown key {key!r}; allowed: {', '.join(LAYER_KEYS)}",
                    {"index": i, "allowed": list(LAYER_KEYS), "got": str(key)[:40]},
                )
        if "units" not in entry:
            raise PydanticCustomError(
                "missing_field", f"hidden_layers[{i}]: units is required", {"index": i}
            )
        units = _width(i, entry["units"])
        activation = entry.get("activation")
        if activation is not None:
            activation = _typed(i, "activation", activation, str)
            _one_of(f"hidden_layers[{i}].activation", activation, ACTIVATIONS, i, "activation")
        norm = _typed(i, "norm", entry.get("norm", "none"), str)
        _one_of(f"hidden_layers[{i}].norm", norm, NORMS, i, "norm")
        dropout = entry.get("dropout", 0.0)
        if isinstance(dropout, int) and not isinstance(dropout, bool):
            dropout = float(dropout)
        dropout = _typed(i, "dropout", dropout, float)
        if not (0.0 <= dropout <= MAX_DROPOUT):  # NaN fails too
            raise PydanticCustomError(
                "out_of_range",
                f"hidden_layers[{i}].dropout must be between 0 and {MAX_DROPOUT}; got {dropout}",
                {"index": i, "key": "dropout", "min": 0.0, "max": MAX_DROPOUT, "got": dropout},
            )
        residual = _typed(i, "residual", entry.get("residual", False), bool)
        layer = {
            "units": units,
            "activation": activation,
            "norm": norm,
            "dropout": dropout,
            "residual": residual,
        }
        plain = activation is None and norm == "none" and not dropout and not residual
        return units if plain else layer
    return _width(i, entry)


def _typed(i: int, key: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        expected = {str: "string", float: "float", bool: "bool"}[kind]
        words = {str: "a string", float: "a number", bool: "true or false"}[kind]
        raise PydanticCustomError(
            "wrong_type",
            f"hidden_layers[{i}].{key} must be {words}; got {got(value)!r}",
            {"index": i, "key": key, "expected": expected, "got": got(value)},
        )
    return value


def _width(i: int, width: Any) -> int:
    if not isinstance(width, int) or isinstance(width, bool):
        raise PydanticCustomError(
            "wrong_type",
            f"hidden_layers[{i}] must be an integer or a layer object; got {got(width)!r}",
            {"index": i, "expected": "int", "got": got(width)},
        )
    if not 1 <= width <= MAX_NEURONS:
        raise PydanticCustomError(
            "out_of_range",
            f"hidden_layers: each layer needs between 1 and {MAX_NEURONS} neurons; got {width}",
            {"min": 1, "max": MAX_NEURONS, "got": width, "index": i},
        )
    return width


def layer_widths(hidden_layers: list[Any]) -> list[int]:
    """The units of each hidden layer (entries are widths or layer objects)."""
    return [e["units"] if isinstance(e, dict) else e for e in hidden_layers]


def layer_code(entry: Any) -> str:
    """A layer as a page link writes it: "8", or "8:relu:bn:d0.2:res" (ln: layer norm)."""
    if not isinstance(entry, dict):
        return str(entry)
    parts = [str(entry["units"])] + ([entry["activation"]] if entry["activation"] else [])
    parts += [{"batch": "bn", "layer": "ln"}[entry["norm"]]] if entry["norm"] != "none" else []
    parts += [f"d{entry['dropout']:g}"] if entry["dropout"] else []
    parts += ["res"] if entry["residual"] else []
    return ":".join(parts)


NORM_CODES = {"bn": "batch", "ln": "layer"}
CODE_PARTS = "an activation ({}), bn (batch norm), ln (layer norm), d<p> (dropout p) or res"


def parse_layer_code(i: int, code: str) -> Any:
    """What layer_code writes, read back: "8" -> 8, "8:relu:bn:d0.2:res" -> {"units": 8,
    "activation": "relu", "norm": "batch", "dropout": 0.2, "residual": True}, the parts after
    the width in any order (as the page's links: static/js/layer_settings.js decodeLayer).
    A lone width that is no number stays text, for the config's own error; a code without a
    width first, or a part that is none of these, raises ClientError naming hidden_layers[i]
    and what it may be."""
    head, *parts = [p.strip() for p in code.split(":")]
    if not parts:
        return int(head) if head.isdigit() else head
    if not head.isdigit():
        raise ClientError(
            "hidden_layers",
            f"hidden_layers[{i}]: {got(code)!r} must start with its width, a whole number "
            f"from 1 to {MAX_NEURONS}",
            "wrong_type",
            {"index": i, "got": got(code)},
        )
    entry: dict[str, Any] = {"units": int(head)}
    for part in filter(None, parts):
        if part in NORM_CODES:
            key, value = "norm", NORM_CODES[part]
        elif part == "res":
            key, value = "residual", True
        elif part in ACTIVATIONS:
            key, value = "activation", part
        elif part[0] == "d" and _is_number(part[1:]):
            key, value = "dropout", float(part[1:])
        else:
            raise ClientError(
                "hidden_layers",
                f"hidden_layers[{i}]: {got(part)!r} in {got(code)!r} is not a layer setting; "
                f"each part after the width is {CODE_PARTS.format(', '.join(ACTIVATIONS))}",
                "invalid_choice",
                {"index": i, "got": got(part)},
            )
        if key in entry:
            raise ClientError(
                "hidden_layers",
                f"hidden_layers[{i}]: {got(code)!r} gives its {key} twice",
                "invalid_value",
                {"index": i, "key": key},
            )
        entry[key] = value
    return entry


def _is_number(text: str) -> bool:
    try:
        float(text)  # the config checks the range (and refuses nan)
    except ValueError:
        return False
    return True


def describe_layers(hidden_layers: list[Any]) -> str:
    """ "8 (relu, batch norm, dropout 0.2, residual), 4" for titles and summaries."""
    out = []
    for e in hidden_layers:
        if not isinstance(e, dict):
            out.append(str(e))
            continue
        parts = [e["activation"]] if e["activation"] else []
        parts += [f"{e['norm']} norm"] if e["norm"] != "none" else []
        parts += [f"dropout {e['dropout']:g}"] if e["dropout"] else []
        parts += ["residual"] if e["residual"] else []
        out.append(f"{e['units']} ({', '.join(parts)})")
    return ", ".join(out)


def layer_settings(hidden_layers: list[Any]) -> list[dict[str, Any]]:
    """Per hidden layer what the engine's MLP(layers=...) takes: {} for a plain width (the
    global activation), else norm, dropout, residual and the activation when one is set."""
    out = []
    for e in hidden_layers:
        if not isinstance(e, dict):
            out.append({})
            continue
        entry = {k: e[k] for k in ("norm", "dropout", "residual")}
        if e["activation"] is not None:
            entry["activation"] = e["activation"]
        out.append(entry)
    return out


def _one_of(field: str, value: str, allowed: Any, i: int, key: str) -> str:
    if value not in allowed:
        raise PydanticCustomError(
            "invalid_choice",
            f"{field} must be one of {', '.join(allowed)}; got {value!r}",
            {"index": i, "key": key, "allowed": list(allowed), "got": value},
        )
    return value
