"""The optimizer's path: snapshots of the weights along a run, for the loss landscape.

A snapshot is a copy of `params.flat` (P,). One is kept every `every` steps; when the buffer
is full every other one goes and `every` doubles, so a long run keeps its whole path, from
the first step to the last, at a coarser spacing. Memory is bounded by MAX_SNAPSHOTS and
MAX_BYTES (a 784-64-32-10 net keeps ~20 snapshots, a 2-4-4-2 one 64).
"""

from __future__ import annotations

import numpy as np

MAX_SNAPSHOTS = 64
MAX_BYTES = 4 * 2**20


class WeightPath:
    """Steps (S,) and snapshots (S, P) of one run, oldest first."""

    def __init__(self, flat: np.ndarray, step: int = 0):
        self.cap = max(4, min(MAX_SNAPSHOTS, MAX_BYTES // max(flat.nbytes, 1)))
        self.every = 1
        self.steps: list[int] = []
        self.snapshots: list[np.ndarray] = []
        self.record(step, flat)

    def record(self, step: int, flat: np.ndarray) -> None:
        """Keep a copy of flat (P,) if `step` falls on the spacing."""
        if step % self.every:
            return
        self.steps.append(step)
        self.snapshots.append(flat.copy())
        if len(self.steps) > self.cap:
            self.steps, self.snapshots = self.steps[::2], self.snapshots[::2]
            self.every *= 2
