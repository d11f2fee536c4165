"""The `landscape` message: the training loss around the weights now, and the path there.

A job is made holding the session's lock (it copies the network, the data it needs and the
path's snapshots), then computes its R x R grid a slice at a time on its own copy, without
the lock: training, `pause` and every other message go on meanwhile. The directions are drawn
from the run's seed, so a redraw later in the run uses the same random directions, rescaled
to the weights then (app/nn/landscape.py).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from app.nn.landscape import filter_normalized_direction, plane_coordinates

# The loss is measured on one fixed subset of the training set, so the surface is smooth in
# (alpha, beta) whatever its size: at most MAX_EXAMPLES, fewer for big networks (about
# POINT_MACS multiply-adds a grid point), never fewer than MIN_EXAMPLES.
MAX_EXAMPLES = 500
MIN_EXAMPLES = 100
POINT_MACS = 10_000_000
RESOLUTION_RANGE = (5, 41)
SPAN_RANGE = (0.1, 5.0)


class LandscapeJob:
    """One landscape: loss[j][i] at θ* + alpha[i] δ + beta[j] η."""

    def __init__(self, session, resolution: int, span: float):
        """Call holding the session's lock."""
        s = session
        self.step, self.generation = s.step, s.generation
        self.resolution, self.span = resolution, span
        self.net = s.net.copy()
        self.center = self.net.params.flat.astype(np.float64)
        rng = np.random.default_rng([s.config.seed, 2018])  # Li et al.'s year: a fixed stream
        self.dirs = np.stack(
            [filter_normalized_direction(self.net.params, rng) for _ in range(2)], axis=1
        )  # (P, 2)
        idx = s.eval_idx if s.eval_idx is not None else np.arange(s.n_train)
        macs = sum(a * b for a, b in zip(s.net.sizes[:-1], s.net.sizes[1:], strict=True))
        n = min(MAX_EXAMPLES, max(MIN_EXAMPLES, POINT_MACS // max(macs, 1)))
        idx = idx[:n]  # (the eval subset is sorted random rows; 2-D data shuffled)
        self.X, self.y = s.X_train[idx], s.y_train[idx]
        steps, snaps = list(s.path.steps), list(s.path.snapshots)
        if not steps or steps[-1] != s.step:  # the path ends at the weights now
            steps.append(s.step)
            snaps.append(s.net.params.flat)
        self.path_steps = steps
        self.path_coords = plane_coordinates(np.stack(snaps), self.center, self.dirs)
        self.axis = np.linspace(-span, span, resolution)
        self.loss = np.full((resolution, resolution), np.nan)
        self.done = 0
        with np.errstate(all="ignore"):
            self.center_loss = float(self.net.loss(self.X, self.y))

    @property
    def total(self) -> int:
        return self.resolution**2

    def run_for(self, seconds: float) -> bool:
        """Compute grid points for about `seconds` (at least one); True when all are done."""
        end = time.monotonic() + seconds
        R, flat, dt = self.resolution, self.net.params.flat, self.net.params.flat.dtype
        with np.errstate(all="ignore"):  # far from the weights the loss may overflow
            while self.done < self.total:
                j, i = divmod(self.done, R)
                point = (
                    self.center + self.axis[i] * self.dirs[:, 0] + self.axis[j] * self.dirs[:, 1]
                )
                np.copyto(flat, point.astype(dt))
                self.loss[j, i] = self.net.loss(self.X, self.y)
                self.done += 1
                if time.monotonic() >= end:
                    break
        return self.done >= self.total

    def message(self) -> dict[str, Any]:
        """The `landscape` reply (non-finite losses are null)."""

        def num(v: float) -> float | None:
            return float(f"{v:.5g}") if np.isfinite(v) else None

        axis = [round(float(a), 6) for a in self.axis]
        return {
            "type": "landscape",
            "step": self.step,
            "resolution": self.resolution,
            "span": self.span,
            "alpha": axis,
            "beta": axis,
            "loss": [[num(v) for v in row] for row in self.loss],
            "center_loss": num(self.center_loss),
            "path": {
                "alpha": [round(float(a), 6) for a in self.path_coords[:, 0]],
                "beta": [round(float(b), 6) for b in self.path_coords[:, 1]],
                "step": self.path_steps,
            },
            "examples": len(self.y),
        }
