"""Loss and accuracy (or R²) of a split within a frame's time budget.

Every frame reports train and test loss and accuracy. On a big network a whole split costs
more than a frame can spend, so a running frame evaluates as many fixed blocks of the split as
fit its budget, in turn, and reports the mean over every block's latest result: the numbers
cover the whole split and each part is at most a few frames old (R² as a mean of the blocks'
R², an estimate). A frame without a budget (paused) evaluates the whole split, exactly.
"""

from __future__ import annotations

import time

import numpy as np

from app.training.frames import parts

BLOCK = 128  # rows; a frame evaluates whole blocks


class SplitEval:
    """Rolling evaluation of one split X: (N, F), y: (N,)."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X, self.y = X, y
        n_blocks = max(1, -(-len(y) // BLOCK))
        self.loss = np.full(n_blocks, np.nan)  # per block: mean loss, score, rows
        self.score = np.full(n_blocks, np.nan)  # accuracy (classes) or R² (real targets)
        self.rows = np.zeros(n_blocks)
        self.cursor = 0  # the next block to evaluate
        self.ms_per_row: float | None = None

    def measure(
        self, net, budget_ms: float | None = None
    ) -> tuple[dict[str, float | None], list[np.ndarray]]:
        """Loss and accuracy over the split, and the activations of the rows evaluated now.

        budget_ms: time this frame may spend (None: the whole split, exactly).
        """
        n_blocks = len(self.rows)
        k = n_blocks
        if budget_ms is not None and self.ms_per_row is not None:
            k = int(budget_ms / (self.ms_per_row * BLOCK))
            k = max(1, min(k, n_blocks - self.cursor))
        if k >= n_blocks:
            self.cursor = 0
        first, last = self.cursor, self.cursor + k
        lo, hi = first * BLOCK, min(last * BLOCK, len(self.y))
        t0 = time.perf_counter()
        metrics, acts = parts.evaluate(net, self.X[lo:hi], self.y[lo:hi])
        rate = (time.perf_counter() - t0) * 1000 / max(hi - lo, 1)
        self.ms_per_row = rate if self.ms_per_row is None else 0.7 * self.ms_per_row + 0.3 * rate
        key = "accuracy" if metrics["r2"] is None and metrics["accuracy"] is not None else "r2"
        score = metrics[key]
        self.loss[first:last] = np.nan if metrics["loss"] is None else metrics["loss"]
        self.score[first:last] = np.nan if score is None else score
        self.rows[first:last] = [min(BLOCK, len(self.y) - b * BLOCK) for b in range(first, last)]
        if k >= n_blocks:  # exact; the blocks start from this mean
            return metrics, acts
        self.cursor = last % n_blocks
        seen = self.rows > 0
        w = self.rows[seen] / self.rows[seen].sum()
        loss, score = float(np.dot(self.loss[seen], w)), float(np.dot(self.score[seen], w))
        return {
            "loss": loss if np.isfinite(loss) else None,
            "accuracy": None,
            "r2": None,
            key: score if np.isfinite(score) else None,
        }, acts
