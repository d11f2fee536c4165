"""Naming a stuck network: a hidden layer all dead or all saturated, or a loss that stopped
moving with accuracy at chance. Each note says what to try, and has a stable `code` and
`params` beside its English `message` so a page can say it in another language.

Reads frames (the figures the page shows), so the note always agrees with the plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ALL_DEAD = 1.0  # every unit of the layer outputs 0 on every evaluated example
ALL_SATURATED = 0.98  # share of outputs within 3% of the activation's limits
STALL_STEPS = 500  # the loss is watched over at least this many steps...
STALL_CHANGE = 1e-3  # ...and counts as stalled when it moved by less than this (relative)
CHANCE_MARGIN = 0.02  # accuracy within this of the majority class's share is chance
CODES = ("dead_layer", "saturated_layer", "stalled")  # the notes' codes, for translations


def chance_accuracy(y: np.ndarray) -> float:
    """Accuracy of always guessing the commonest class of labels y: (N,); -1 for real
    targets (regression), which are never "at chance"."""
    y = np.asarray(y)
    return float(np.bincount(y).max() / len(y)) if y.dtype.kind in "iu" and len(y) else -1.0


def note(code: str, message: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params, "message": message}


@dataclass
class StuckWatch:
    """Fed every frame of one run; returns a note the first time the run is stuck in a new
    way, then stays quiet until the run changes (a new generation) or recovers."""

    generation: int = -1
    said: str | None = None
    losses: list[tuple[int, float]] = field(default_factory=list)

    def check(self, frame: dict[str, Any], generation: int, chance: float) -> dict | None:
        """frame: a `frame` message; chance: accuracy of always guessing the commonest
        class. Returns a note dict or None."""
        if generation != self.generation:
            self.generation, self.said, self.losses = generation, None, []
        found = self._diagnose(frame, chance)
        if found is None or found["code"] == self.said:
            if found is None:
                self.said = None
            return None
        self.said = found["code"]
        return found

    def _diagnose(self, frame: dict[str, Any], chance: float) -> dict | None:
        if frame.get("state") == "diverged":
            return None
        hidden = frame.get("layers", [])[:-1]
        for i, layer in enumerate(hidden, start=1):
            if (layer.get("dead") or 0.0) >= ALL_DEAD:
                return note(
                    "dead_layer",
                    f"Hidden layer {i} is dead: every ReLU outputs 0, so no gradient reaches "
                    "it and it cannot learn. Try a lower learning rate, leaky_relu or He "
                    "init, then Reset.",
                    layer=i,
                )
            if (layer.get("saturated") or 0.0) >= ALL_SATURATED:
                return note(
                    "saturated_layer",
                    f"Hidden layer {i} is saturated: its {layer.get('activation')} units sit "
                    "at their limits, where the gradient is nearly 0. Try a lower learning "
                    "rate, Xavier init or relu, then Reset.",
                    layer=i,
                    activation=layer.get("activation"),
                )
        return self._stalled(frame, chance)

    def _stalled(self, frame: dict[str, Any], chance: float) -> dict | None:
        loss, acc = frame["train"].get("loss"), frame["train"].get("accuracy")
        step = frame.get("step", 0)
        if loss is None or acc is None:
            return None
        self.losses.append((step, loss))
        while len(self.losses) > 2 and step - self.losses[1][0] >= STALL_STEPS:
            self.losses.pop(0)  # keep a window just over STALL_STEPS long
        first_step, first = self.losses[0]
        if step - first_step < STALL_STEPS or acc > chance + CHANCE_MARGIN:
            return None
        if abs(loss - first) > STALL_CHANGE * max(abs(first), 1e-12):
            return None
        return note(
            "stalled",
            f"The loss has stopped moving ({loss:.4g} over the last {step - first_step} "
            f"steps) with accuracy at chance ({acc:.0%}). Try a lower learning rate, another "
            "activation (leaky_relu) or init (He), then Reset.",
            loss=loss,
            steps=step - first_step,
            accuracy=acc,
        )
