"""Schedules and stopping: the learning rate over a run, and when a run stops by itself.

Three config fields (live: they apply to a running session):
- `lr_schedule` {kind, every, gamma, epochs, warmup}: the rate in force is
  `app.nn.scheduled_rate` of the base `learning_rate` at the step's epoch;
- `stop_at` {epochs, loss, accuracy} (null: not used): stop when the epoch reaches `epochs`
  (checked every step), or at the end of an epoch when the training loss is at most `loss` or
  the training accuracy (R² for real targets) at least `accuracy`;
- `early_stopping` {patience}: at each epoch's end the test loss is measured; after
  `patience` epochs without a new best, the best weights come back and the run stops.

A condition that fired does not fire again in the same run (play goes on past it); changing
`stop_at` or `early_stopping`, a reset or a rebuild arms them again.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.nn import SCHEDULES, scheduled_rate

STOP_REASONS = ("epochs", "loss", "accuracy", "early_stopping")


class _Part(BaseModel):
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False, frozen=True
    )


class LRSchedule(_Part):
    """How the learning rate changes with the epoch (see app/nn/schedules.py)."""

    kind: Literal["constant", "step", "exponential", "cosine"] = Field(
        "constant", description="constant, step (x gamma every k epochs), exponential, cosine"
    )
    every: int = Field(10, ge=1, le=10_000, description="step: epochs between two decays")
    gamma: float = Field(0.5, gt=0.0, le=1.0, description="step, exponential: decay factor")
    epochs: int = Field(100, ge=1, le=100_000, description="cosine: epochs to reach 0")
    warmup: float = Field(0.0, ge=0.0, le=1000.0, description="epochs of linear warm-up")


class StopAt(_Part):
    """Stop when any of these is reached (null: not used)."""

    epochs: float | None = Field(None, ge=0.01, le=1_000_000.0, description="epochs trained")
    loss: float | None = Field(None, ge=0.0, le=1000.0, description="training loss at most")
    accuracy: float | None = Field(
        None, ge=0.0, le=1.0, description="training accuracy (R² for values) at least"
    )


class EarlyStopping(_Part):
    """Stop when the test loss has not improved for `patience` epochs (null: off)."""

    patience: int | None = Field(None, ge=1, le=10_000, description="epochs without a new best")


PARTS: dict[str, type[_Part]] = {
    "lr_schedule": LRSchedule,
    "stop_at": StopAt,
    "early_stopping": EarlyStopping,
}
assert set(LRSchedule.model_fields["kind"].annotation.__args__) == set(SCHEDULES)


def part_catalogue(model: type[_Part]) -> dict[str, dict[str, Any]]:
    """The sub-fields of a config part, with their bounds and defaults, for the page."""
    out = {}
    for name, info in model.model_fields.items():
        entry: dict[str, Any] = {"help": info.description, "default": info.get_default()}
        if name == "kind":
            entry.update(kind="choice", options=list(SCHEDULES))
        else:
            entry["kind"] = "int" if info.annotation in (int, int | None) else "float"
            entry["nullable"] = info.get_default() is None
            for meta in info.metadata:
                for bound, key in (("ge", "min"), ("gt", "min"), ("le", "max")):
                    if getattr(meta, bound, None) is not None:
                        entry[key] = getattr(meta, bound)
        out[name] = entry
    return out


def extras(cfg) -> tuple[bool, bool]:
    """(the schedule changes the rate, a stop condition is set) for a TrainingConfig."""
    sched = cfg.lr_schedule.kind != "constant" or cfg.lr_schedule.warmup > 0
    watch = any(v is not None for v in cfg.stop_at.model_dump().values())
    return sched, watch or cfg.early_stopping.patience is not None


def rate_now(cfg, epoch: float, n_train: int, batch: int | None = None) -> float:
    """The learning rate in force for a step of `batch` examples (default: the config's)
    starting at `epoch`, with n_train training examples."""
    sched = cfg.lr_schedule
    if sched.kind == "constant" and not sched.warmup:
        return cfg.learning_rate
    span = (batch or min(cfg.batch_size, n_train)) / max(n_train, 1)
    return scheduled_rate(cfg.learning_rate, epoch, span, **sched.model_dump())


class StopWatch:
    """The stop conditions of one run: what fired, and early stopping's best so far."""

    def __init__(self) -> None:
        self.arm()

    def arm(self) -> None:
        """Forget what fired and the best test loss (a new run, or new conditions)."""
        self.fired: set[str] = set()
        self.reason: dict[str, Any] | None = None  # set when a condition fires; the runner
        # pauses and says so, then `resume` clears it
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_step = 0
        self.best_params: dict[str, np.ndarray] | None = None
        self.wait = 0  # epochs since the best test loss

    def resume(self) -> None:
        self.reason = None
        self.wait = 0

    def check(self, s, epoch_before: float) -> dict[str, Any] | None:
        """After one step of session `s` (which started at `epoch_before`): a stop reason,
        or None. Ends of epochs cost one evaluation, only when a condition needs it."""
        cfg = s.config
        stop, early = cfg.stop_at, cfg.early_stopping.patience
        epoch = s.epoch
        if stop.epochs is not None and "epochs" not in self.fired and epoch >= stop.epochs:
            return self._fire(s, "epochs", epoch, stop.epochs)
        if math.floor(epoch) == math.floor(epoch_before):
            return None
        wants_train = stop.loss is not None or stop.accuracy is not None
        if wants_train:
            X, y = (
                (s.X_train, s.y_train)
                if s.eval_idx is None
                else (
                    s.X_train[s.eval_idx],
                    s.y_train[s.eval_idx],
                )
            )
            loss, score, _ = s.net.evaluate(X, y)
            if stop.loss is not None and "loss" not in self.fired and loss <= stop.loss:
                return self._fire(s, "loss", float(loss), stop.loss)
            if (
                stop.accuracy is not None
                and "accuracy" not in self.fired
                and score >= stop.accuracy
            ):
                return self._fire(s, "accuracy", float(score), stop.accuracy)
        if early is not None:
            test_loss = float(s.net.evaluate(s.X_test, s.y_test)[0])
            if test_loss < self.best_loss:
                self.best_loss, self.best_epoch, self.best_step = test_loss, epoch, s.step
                self.best_params = s.net.copy_params()
                self.wait = 0
            else:
                self.wait += 1
                if self.wait >= early and self.best_params is not None:
                    s.net.set_params(self.best_params)
                    self.wait = 0
                    return self._fire(s, "early_stopping", self.best_loss, early)
        return None

    def _fire(self, s, reason: str, value: float, limit: float) -> dict[str, Any]:
        if reason != "early_stopping":
            self.fired.add(reason)
        self.reason = {
            "reason": reason,
            "step": s.step,
            "epoch": round(s.epoch, 3),
            "value": float(f"{value:.4g}"),  # as the page prints it
            "limit": limit,
        }
        if reason == "early_stopping":
            self.reason.update(best_step=self.best_step, best_epoch=round(self.best_epoch, 3))
        return self.reason

    def message(self) -> str:
        """The English sentence of the last stop (the page says it from code + params)."""
        r = self.reason or {}
        why = {
            "epochs": f"epoch {r.get('epoch')} reached (stop_at.epochs = {r.get('limit')})",
            "loss": f"training loss {r.get('value', 0):.4g} ≤ {r.get('limit')} (stop_at.loss)",
            "accuracy": f"training accuracy {r.get('value', 0):.4g} ≥ {r.get('limit')} "
            "(stop_at.accuracy)",
            "early_stopping": f"test loss has not improved for {r.get('limit')} epochs: "
            f"the best weights (step {r.get('best_step')}, test loss {r.get('value', 0):.4g}) "
            "are back",
        }.get(r.get("reason", ""), "")
        return f"Stopped at step {r.get('step')}: {why}. Play goes on from here"

    # -- saved runs ------------------------------------------------------------------------

    def to_dict(self, pack) -> dict[str, Any]:
        return {
            "fired": sorted(self.fired),
            "best_loss": None if math.isinf(self.best_loss) else self.best_loss,
            "best_epoch": self.best_epoch,
            "best_step": self.best_step,
            "best_params": {k: pack(v) for k, v in self.best_params.items()}
            if self.best_params is not None
            else None,
            "wait": self.wait,
        }

    def load(self, d: dict[str, Any], unpack) -> None:
        """Inverse of to_dict; raises ValueError (KeyError, TypeError) if it is not one."""
        if not set(d.get("fired", [])) <= set(STOP_REASONS):
            raise ValueError(f"stopping.fired must be among {', '.join(STOP_REASONS)}")
        self.fired = set(d["fired"])
        self.best_loss = math.inf if d["best_loss"] is None else float(d["best_loss"])
        self.best_epoch, self.best_step = float(d["best_epoch"]), int(d["best_step"])
        bp = d["best_params"]
        if bp is not None and not isinstance(bp, dict):
            raise TypeError("stopping.best_params must be an object of arrays or null")
        self.best_params = None if bp is None else {k: unpack(v) for k, v in bp.items()}
        self.wait = int(d["wait"])
