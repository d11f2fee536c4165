"""The curves' history: one row per frame, thinned as the run grows, as columns or a CSV.

The page draws curves from the frames it receives; the server keeps the same figures so a
saved run, a pinned run and a CSV export carry them. Memory stays bounded: when the history
is full every other row is dropped, so a long run keeps its whole shape at half the detail.
"""

from __future__ import annotations

import csv
import io
from typing import Any

MAX_ROWS = 4000


class History:
    """Rows of step, epoch, train_loss, train_<score>, test_loss, test_<score> and
    grad_norm_<l> for each layer l (1-based), oldest first. The score is the accuracy, or
    R² ("r2") for real-valued targets."""

    def __init__(self, n_layers: int, score: str = "accuracy"):
        self.n_layers = n_layers
        self.score = score
        self.rows: list[list[Any]] = []

    @property
    def columns(self) -> list[str]:
        s = self.score
        head = ["step", "epoch", "train_loss", f"train_{s}", "test_loss", f"test_{s}"]
        return [*head, *(f"grad_norm_{l}" for l in range(1, self.n_layers + 1))]

    def record(self, frame: dict[str, Any]) -> None:
        """Add the figures of a frame (a paused frame at the same step replaces the last row)."""
        train, test = frame["train"], frame["test"]
        norms = [layer.get("grad_norm") for layer in frame["layers"]][: self.n_layers]
        row = [
            frame["step"],
            frame["epoch"],
            train["loss"],
            train.get(self.score),
            test["loss"],
            test.get(self.score),
            *norms,
            *[None] * (self.n_layers - len(norms)),
        ]
        if self.rows and self.rows[-1][0] == row[0]:
            self.rows[-1] = row
            return
        self.rows.append(row)
        if len(self.rows) > MAX_ROWS:  # halve the detail, keep the newest row
            kept = self.rows[::2]
            self.rows = kept if kept[-1] is row else [*kept, row]

    def to_columns(self) -> dict[str, list[Any]]:
        """{"step": [...], "train_loss": [...], ...}: what the page plots and a run file keeps."""
        return {name: [r[i] for r in self.rows] for i, name in enumerate(self.columns)}

    @classmethod
    def from_columns(cls, columns: dict[str, list[Any]]) -> History:
        """Inverse of to_columns; raises ValueError if the columns are not a history."""
        if not isinstance(columns, dict):
            raise ValueError("a history must be an object of columns")
        n_layers = sum(1 for k in columns if k.startswith("grad_norm_"))
        h = cls(n_layers, "r2" if "train_r2" in columns else "accuracy")
        names = h.columns
        if set(columns) != set(names):
            raise ValueError(f"history columns must be {', '.join(names)}")
        if not all(isinstance(columns[k], list) for k in names):
            raise ValueError("history columns must be lists")
        lengths = {len(columns[k]) for k in names}
        if len(lengths) > 1:
            raise ValueError("history columns must all have the same length")
        h.rows = [list(r) for r in zip(*(columns[k] for k in names), strict=True)]
        for r in h.rows:
            if not all(v is None or isinstance(v, int | float) for v in r):
                raise ValueError("history values must be numbers or null")
        return h

    def to_csv(self) -> str:
        """The history as CSV text (empty cells where a figure was not finite)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for r in self.rows:
            writer.writerow(["" if v is None else repr(v) for v in r])
        return out.getvalue()
