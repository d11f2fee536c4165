"""A training session: config -> data + model + optimizer; step; frames.

One session per browser tab. It owns its state and turns it into frames; it knows nothing of
WebSockets. The web layer calls it from a worker thread while holding `session.lock`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from app.data import DataError, build_dataset
from app.nn import MLP, make_optimizer
from app.nn.lab import plant
from app.training.frames import curve, hidden_space, plane
from app.training.frames.builder import FrameBuilder
from app.training.frames.dataset_message import dataset_message
from app.training.live.config import (
    DATA_KEYS,
    STRUCTURAL_KEYS,
    ConfigError,
    TrainingConfig,
    explain,
)
from app.training.live.history import History
from app.training.live.layers import layer_settings, layer_widths
from app.training.live.path import WeightPath
from app.training.live.probe import probe
from app.training.live.stopping import StopWatch, extras, rate_now

MNIST_SAMPLES = 12
MNIST_EVAL_TRAIN = 1000  # frames estimate the MNIST train loss on a fixed subset


@dataclass
class Change:
    """What a `configure` did."""

    changed: list[str]
    rebuilt: bool
    message: str = ""
    notes: list[str] = field(default_factory=list)


class TrainingSession:
    """State of one run. Not thread-safe by itself: callers hold `lock`."""

    def __init__(self, config: TrainingConfig | None = None, custom=None):
        self.lock = threading.RLock()
        self.config = config or TrainingConfig()
        self.custom = custom  # an uploaded or edited Dataset, when config.dataset == "custom"
        self.pins: list[dict[str, Any]] = []  # pinned runs' curves: they survive rebuilds
        self.frames = FrameBuilder()
        self.hidden_view: hidden_space.HiddenView | None = None  # the tab's hidden-space panel
        self.hunt: Any = None  # a bug hunt (teaching/bughunt.py), planted in every new network
        self.data = self._build_data(self.config)
        self._build_model(self.config)

    # -- building --------------------------------------------------------------------------

    def _build_data(self, cfg: TrainingConfig):
        if cfg.dataset == "custom":
            if self.custom is None:
                raise ConfigError("dataset", "upload a CSV file to use your own data")
            return self.custom
        try:
            return build_dataset(
                cfg.dataset,
                n_samples=cfg.n_samples,
                noise=cfg.noise,
                seed=cfg.seed,
                train_fraction=cfg.train_fraction,
                features=tuple(cfg.features),
                classes=cfg.classes,
            )
        except DataError as e:
            raise ConfigError(e.field, e.message, "out_of_range", e.params) from e

    def _make_net(self, cfg: TrainingConfig, data) -> MLP:
        n_out = 1 if cfg.loss == "binary_cross_entropy" else data.n_classes
        if data.is_regression:
            n_out = 1
            if cfg.loss != "mse":
                raise ConfigError(
                    "loss",
                    f"{cfg.dataset} has real-valued targets (regression): use mse, not {cfg.loss}",
                )
        elif cfg.loss == "binary_cross_entropy" and data.n_classes != 2:
            raise ConfigError(
                "loss",
                f"binary_cross_entropy needs 2 classes; this dataset has "
                f"{data.n_classes}: use cross_entropy or mse",
            )
        try:
            return MLP(
                [data.n_features, *layer_widths(cfg.hidden_layers), n_out],
                activation=cfg.activation,
                loss=cfg.loss,
                init=cfg.init,
                dtype=cfg.dtype,
                seed=cfg.seed,
                l1=cfg.l1,
                l2=cfg.l2,
                targets="values" if data.is_regression else "classes",
                layers=layer_settings(cfg.hidden_layers),
            )
        except ValueError as e:
            if str(e).startswith("layers["):  # e.g. a residual first layer: its input is the data
                index = int(str(e)[7 : str(e).index("]")])
                message = f"hidden_{e}"
                raise ConfigError(
                    "hidden_layers", message, "invalid_value", {"index": index}
                ) from e
            raise ConfigError(None, str(e)) from e

    def _build_model(self, cfg: TrainingConfig, net: MLP | None = None) -> None:
        """Fresh weights, optimizer state, counters and batch order for `cfg` and self.data."""
        self.generation = getattr(self, "generation", 0) + 1  # frames of older runs are stale
        self.net = net or self._make_net(cfg, self.data)
        if getattr(self, "hunt", None) is not None:  # a bug hunt outlives reset and rebuilds
            plant(self.net, self.hunt.bug)
        self.opt = self._make_optimizer(cfg)
        self.rng = np.random.default_rng(cfg.seed)
        self.order = self.rng.permutation(self.n_train)
        self.cursor = 0
        self.step = 0
        self.examples = 0
        self.diverged_at: int | None = None
        self.last_loss: float | None = None
        self.last_trace: dict[str, Any] | None = None
        self.stops = StopWatch()  # stop_at and early stopping (app/training/live/stopping.py)
        self._extras: tuple = (None, False, False)  # (config, scheduled, stop conditions set)
        self.restart_path()
        self._grids: dict[int, np.ndarray] = {}
        self._line = None
        self.history = History(
            len(self.net.sizes) - 1, "r2" if self.data.is_regression else "accuracy"
        )
        self._cast_data()
        self.frames.reset(self)

    def restart_path(self) -> None:
        """The landscape's path starts here (a new run, opened or edited weights)."""
        self.path = WeightPath(self.net.params.flat, self.step)

    def _make_optimizer(self, cfg: TrainingConfig):
        return make_optimizer(
            cfg.optimizer,
            learning_rate=cfg.learning_rate,
            momentum=cfg.momentum,
            beta1=cfg.beta1,
            beta2=cfg.beta2,
            rho=cfg.rho,
        )

    def _cast_data(self) -> None:
        dt = np.dtype(self.config.dtype)
        d = self.data
        # Checked once here, so each training step can skip the engine's input checks.
        self.X_train, self.y_train = self.net.check_inputs(
            np.ascontiguousarray(d.X_train, dtype=dt), d.y_train
        )
        self.X_test, self.y_test = self.net.check_inputs(
            np.ascontiguousarray(d.X_test, dtype=dt), d.y_test
        )
        rng = np.random.default_rng(0)
        self.eval_idx = (
            np.sort(rng.choice(self.n_train, MNIST_EVAL_TRAIN, replace=False))
            if d.kind == "image" and self.n_train > MNIST_EVAL_TRAIN
            else None
        )
        self.sample_idx = (
            np.arange(min(MNIST_SAMPLES, len(self.y_test))) if d.kind == "image" else None
        )

    @property
    def n_train(self) -> int:
        return len(self.data.y_train)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def stopped(self) -> dict[str, Any] | None:
        """Why the run stopped by itself (stop_at, early stopping), until `resume`."""
        return self.stops.reason

    def resume(self) -> None:
        """Go on after a stop (play, step): the condition that fired does not fire again."""
        self.stops.resume()

    def learning_rate_now(self, batch: int | None = None) -> float:
        """The learning rate in force for the next step (of `batch` examples)."""
        return rate_now(self.config, self.epoch, self.n_train, batch)

    # -- changing ----------------------------------------------------------------------------

    def configure(self, changes: dict[str, Any]) -> Change:
        """Apply a partial config. Live keys keep the run; structural keys rebuild it.

        Raises ConfigError (naming the field and its range) and leaves the session untouched.
        """
        try:
            new = TrainingConfig.model_validate({**self.config.model_dump(), **changes})
        except ValidationError as e:
            raise explain(e) from e
        old = self.config
        changed = [k for k in changes if getattr(new, k) != getattr(old, k)]
        notes: list[str] = []
        if any(k in STRUCTURAL_KEYS for k in changed):
            data = self._build_data(new) if any(k in DATA_KEYS for k in changed) else self.data
            if new.batch_size > len(data.y_train):
                notes.append(f"batch_size lowered to {len(data.y_train)}, the training set")
                new = new.model_copy(update={"batch_size": len(data.y_train)})
            net = self._make_net(new, data)  # may raise: nothing is replaced before this
            self.config, self.data = new, data
            self._build_model(new, net)
            what = "data and model" if any(k in DATA_KEYS for k in changed) else "model"
            return Change(changed, True, f"Rebuilt the {what} ({', '.join(changed)})", notes)
        if new.batch_size > self.n_train:
            raise ConfigError(
                "batch_size",
                f"batch_size must be between 1 and "
                f"{self.n_train} (the training set); got {new.batch_size}",
                "out_of_range",
            )
        self.config = new
        self._apply_live(old, new)
        if new.stop_at != old.stop_at or new.early_stopping != old.early_stopping:
            self.stops.arm()
        return Change(changed, False, f"Changed {', '.join(changed)}" if changed else "")

    def _apply_live(self, old: TrainingConfig, new: TrainingConfig) -> None:
        if new.optimizer != old.optimizer:
            self.opt = self._make_optimizer(new)  # a new optimizer state; weights are kept
        for key in ("learning_rate", "momentum", "beta1", "beta2", "rho"):
            if hasattr(self.opt, key):
                setattr(self.opt, key, getattr(new, key))
        self.net.l1, self.net.l2 = new.l1, new.l2

    def reset(self) -> None:
        """New weights from the seed and a fresh optimizer; the same data."""
        self._build_model(self.config)

    def load_dataset(self, data) -> Change:
        """Use an uploaded or edited Dataset; the model is rebuilt to fit it."""
        cfg = self.config.model_copy(update={"dataset": "custom"})
        if cfg.batch_size > len(data.y_train):
            cfg = cfg.model_copy(update={"batch_size": len(data.y_train)})
        if data.kind != "2d":
            cfg = cfg.model_copy(update={"features": list(self.config.features)})
        notes = []
        if data.is_regression and cfg.loss != "mse":  # said in the status, not silent
            cfg = cfg.model_copy(update={"loss": "mse"})
            notes.append("loss set to mse: the target is real-valued (regression)")
        net = self._make_net(cfg, data)
        self.custom, self.config, self.data = data, cfg, data
        self._build_model(cfg, net)
        what = (
            f"a real-valued target '{data.target_name}' (regression)"
            if data.is_regression
            else f"{data.n_classes} classes"
        )
        return Change(
            ["dataset"],
            True,
            f"Loaded {data.n_features} features, {what}, {len(data.y_train)} training rows",
            notes,
        )

    # -- training ----------------------------------------------------------------------------

    def next_batch(self) -> np.ndarray:
        """Indices of the next mini-batch: a fresh permutation each epoch."""
        bs = min(self.config.batch_size, self.n_train)
        if self.cursor + bs > self.n_train:
            self.order = self.rng.permutation(self.n_train)
            self.cursor = 0
        idx = self.order[self.cursor : self.cursor + bs]
        self.cursor += bs
        return idx

    def advance(self, n: int, stop: threading.Event | None = None) -> int:
        """Train `n` steps (fewer if stopped or diverged); returns the steps taken."""
        done = 0
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            done = self._advance(n, stop)
        return done

    def _advance(self, n: int, stop: threading.Event | None) -> int:
        done = 0
        for _ in range(n):
            if self.diverged or self.stopped or (stop is not None and stop.is_set()):
                break
            idx = self.next_batch()
            self.train_on(self.X_train[idx], self.y_train[idx])
            done += 1
        return done

    def train_on(self, X: np.ndarray, y: np.ndarray) -> float:
        """One training step on rows of X_train or X_test (checked once, in _cast_data),
        X: (N, F), y: (N,), counted like every other step (step, examples, divergence, last
        loss); returns the loss before the step. Callers that may diverge wrap it in
        np.errstate, as `advance` does."""
        if self._extras[0] is not self.config:  # cached by config: one identity test a step
            self._extras = (self.config, *extras(self.config))
        _, scheduled, watched = self._extras
        if scheduled:
            self.opt.learning_rate = self.learning_rate_now(len(y))
        epoch_before = self.epoch
        loss = self.net.train_step(X, y, self.opt, check=False)  # checked in _cast_data
        self.step += 1
        self.examples += len(y)
        self.path.record(self.step, self.net.params.flat)
        if not np.isfinite(loss):
            self.diverged_at = self.step
        elif watched:
            self.stops.check(self, epoch_before)
        self.last_loss = loss
        return loss

    @property
    def epoch(self) -> float:
        return self.examples / max(self.n_train, 1)

    # -- describing ----------------------------------------------------------------------------

    def status(self, state: str) -> dict[str, Any]:
        if self.diverged:
            # code + params let the page say it in its language (status.diverged)
            loss = str(self.last_loss)  # "nan" or "inf": JSON has no NaN
            return {
                "type": "status",
                "state": "diverged",
                "step": self.step,
                "message": f"Loss became {loss} at step {self.diverged_at}: lower the "
                "learning rate, then Reset",
                "code": "diverged",
                "params": {"loss": loss, "step": self.diverged_at},
            }
        return {"type": "status", "state": state, "step": self.step, "message": ""}

    def frame(
        self, state: str = "paused", plane: bool = True, budget_ms: float | None = None
    ) -> dict[str, Any]:
        """The session now, at the detail the page draws.

        budget_ms: milliseconds the costly parts (plane, evaluation) may take in this frame;
        they come coarser, in rolling parts or in fewer frames to fit. None: sharp and exact.
        plane=False leaves out the plane (boundary, neuron maps, curve): progress frames.
        """
        out = self.frames.build(self, state, budget_ms, plane)
        self.history.record(out)
        return out

    def watch_hidden(self, layer: int | None) -> None:
        """Send the hidden space of hidden layer `layer` (1-based) in frames; None stops."""
        n_hidden = len(self.net.sizes) - 2
        if layer is not None and not 1 <= layer <= max(n_hidden, 1):
            raise ConfigError(
                "layer",
                f"layer must be between 1 and {max(n_hidden, 1)}; got {layer}",
                "out_of_range",
            )
        self.hidden_view = None if layer is None else hidden_space.HiddenView(layer)

    def grid_inputs(self, res: int = plane.FULL_RES) -> np.ndarray:
        """2-D: network inputs (R*R, F) of the R x R grid over the bounds, cached."""
        if res not in self._grids:
            _, _, inputs = self.data.grid(res)
            self._grids[res] = np.ascontiguousarray(inputs, dtype=self.config.dtype)
        return self._grids[res]

    def line(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D: xs (R,) over the x bounds and their network inputs (R, 1), cached."""
        if self._line is None:
            xs, inputs = self.data.line(curve.CURVE_RES)
            self._line = xs, np.ascontiguousarray(inputs, dtype=self.config.dtype)
        return self._line

    def dataset_message(self) -> dict[str, Any]:
        return dataset_message(self.config.dataset, self.data, self.sample_idx)

    def predict(
        self, point: list[float] | None = None, image: list[float] | None = None
    ) -> dict[str, Any]:
        """Class probabilities (or the value) and hidden activations for one probed point or
        drawn digit."""
        return probe(self.net, self.data, self.config.dtype, point, image)

    def edit_point(self, x: float, y: float, label: int | None) -> Change:
        """Add a training point (label given) or remove the nearest one (label None)."""
        if self.data.kind != "2d":
            raise ConfigError("x", "points can be added only to 2-D data")
        try:
            if label is None:
                (x0, x1), _ = self.data.bounds
                data = self.data.without_point(x, y, radius=0.05 * (x1 - x0))
            else:
                data = self.data.with_point(x, y, label)
        except DataError as e:
            raise ConfigError(e.field, e.message, "invalid_value", e.params) from e
        # Keep the weights: a new point should bend the boundary, not restart the run.
        net, step, examples, history = self.net, self.step, self.examples, self.history
        self.custom, self.data = data, data
        self.config = self.config.model_copy(update={"dataset": "custom"})
        self._build_model(self.config, net)
        self.step, self.examples, self.history = step, examples, history
        self.restart_path()
        return Change(
            ["dataset"], True, "Added a point" if label is not None else "Removed a point"
        )
