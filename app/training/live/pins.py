"""Pinned runs: a run's curves kept to compare later runs with, labelled by what differs."""

from __future__ import annotations

from typing import Any

MAX_PINS = 4
# Short names for the label; settings that do not change what a run learns are left out.
SHORT = {"learning_rate": "lr", "hidden_layers": "layers", "train_fraction": "train share",
         "n_samples": "samples", "batch_size": "batch"}  # fmt: skip
IGNORED = {"speed"}
MAX_PARTS = 3


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def pin_label(pinned: dict[str, Any], current: dict[str, Any]) -> str:
    """What differs between a pinned config and the current one, e.g. "relu vs tanh, lr 0.3
    vs 0.03" (pinned value first). "same settings" when only the pace differs."""
    parts = []
    for key, was in pinned.items():
        now = current.get(key)
        if key in IGNORED or now == was:
            continue
        if isinstance(was, str) and isinstance(now, str):
            parts.append(f"{was} vs {now}")
        else:
            parts.append(f"{SHORT.get(key, key)} {_show(was)} vs {_show(now)}")
    if not parts:
        return "same settings"
    more = len(parts) - MAX_PARTS
    return ", ".join(parts[:MAX_PARTS]) + (f" (+{more} more)" if more > 0 else "")


def pin(pins: list[dict[str, Any]], config: dict[str, Any], step: int, history: dict) -> str:
    """Add a pin (the oldest goes when there are MAX_PINS); returns a note for the status."""
    pins.append({"config": config, "step": step, "history": history})
    if len(pins) > MAX_PINS:
        pins.pop(0)
        return f"Pinned; the oldest pin was dropped ({MAX_PINS} at most)"
    return f"Pinned the run at step {step}"


def pins_message(pins: list[dict[str, Any]], current: dict[str, Any]) -> dict[str, Any]:
    """The `pins` message: each pin's curves and its label against the current config."""
    return {
        "type": "pins",
        "pins": [
            {"index": i, "label": pin_label(p["config"], current), **p} for i, p in enumerate(pins)
        ],
    }
