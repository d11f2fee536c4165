"""Saved runs: a session as JSON and back, so that a run continues bit for bit anywhere.

A run file holds the config, the weights, the optimizer state, the counters, the batch order
(the generator's state, the epoch's permutation and the position in it), the curves'
history, the pins and, for uploaded or edited data, the data itself. Arrays are `packed`
(exact bytes, zlib + base64). Built-in data is rebuilt from the config, as the page does.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Any

import numpy as np
from pydantic import ValidationError

from app import __version__
from app.data.csv_upload import MAX_ABS as CSV_MAX_ABS
from app.data.csv_upload import MAX_FEATURES
from app.data.dataset import MAX_POINTS, Dataset
from app.data.errors import DataError
from app.data.features import compute_features, validate_features
from app.errors import ClientError
from app.nn.lab import set_unit, surgery
from app.training.frames.encode import packed, unpacked
from app.training.live.config import CLASSES_RANGE, TrainingConfig, explain
from app.training.live.history import History
from app.training.live.session import TrainingSession
from app.training.takehome.run_schema import (
    MAX_ARRAY_BYTES,
    MAX_CELLS,
    Data,
    LayersState,
    Packed,
    Run,
    Surgery,
    bad_run,
    check_run,
)

FORMAT = "backprop-playground-run"
VERSION = 1


def run_filename(session: TrainingSession) -> str:
    return f"{session.config.dataset}_step{session.step}.run.json"


def save_run(session: TrainingSession, level: int = 6) -> dict[str, Any]:
    """The session as a JSON-ready dict (arrays zlib-ed at `level`; 0 for checkpoints,
    which come often). Call holding the session's lock."""
    net, opt = session.net, session.opt
    state = {
        k: {slot: packed(v, level) for slot, v in slots.items()} for k, slots in opt.state.items()
    }
    rng = session.rng.bit_generator.state
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": __version__,
        "config": session.config.model_dump(),
        "counters": {
            "step": session.step,
            "examples": session.examples,
            "diverged_at": session.diverged_at,
        },
        "params": {k: packed(v, level) for k, v in net.params.items()},
        "layers": _layers_state(net),
        "surgery": surgery(net),  # frozen and killed units, [[layer, unit], ...]
        "optimizer": {"name": session.config.optimizer, "t": opt.t, "state": state},
        "batches": {
            # 128-bit integers as text: JavaScript numbers would round them
            "rng": {**rng, "state": {k: hex(v) for k, v in rng["state"].items()}},
            "order": packed(session.order, level),
            "cursor": session.cursor,
        },
        "data": _data_dict(session.data) if session.config.dataset == "custom" else None,
        "history": session.history.to_columns(),
        "pins": session.pins,
        # stop_at / early stopping: what fired, and the best weights so far
        "stopping": session.stops.to_dict(packed),
    }


def load_run(raw: Any) -> TrainingSession:
    """A new session in the saved state. Raises ClientError("bad_run") naming the field.

    Everything is checked before it costs anything: the fields and their limits first
    (run_schema), then each array's declared shape against the config, and only then are
    the arrays inflated, each to exactly its declared size.
    """
    run = check_run(raw)
    try:
        cfg = TrainingConfig.model_validate(run.config)
    except ValidationError as e:
        err = explain(e)
        raise bad_run(f"config.{err.field}", f"the run's config: {err.message}") from None
    if cfg.dataset == "custom" and run.data is None:
        raise bad_run("data", "a run on uploaded or edited data needs its 'data'")
    custom = _dataset(run.data, cfg) if run.data is not None and cfg.dataset == "custom" else None
    if cfg.dataset != "custom" and run.data is not None:
        raise bad_run("data", f"a run on {cfg.dataset} carries no data (it is rebuilt)")
    try:
        session = TrainingSession(cfg, custom=custom)
    except ClientError as e:
        raise bad_run(
            f"config.{e.field}" if e.field else "config", f"the run's config: {e.message}"
        ) from None
    with session.lock:
        _restore(session, run)
    return session


def _restore(s: TrainingSession, run: Run) -> None:
    c = run.counters
    s.step, s.examples, s.diverged_at = c.step, c.examples, c.diverged_at
    if set(run.params) != set(s.net.params):
        raise bad_run("params", f"params must be {', '.join(s.net.params)} for this config")
    dtype = np.dtype(s.config.dtype).str
    params = {
        k: _array(f"params.{k}", run.params[k], v.shape, dtype) for k, v in s.net.params.items()
    }
    s.net.set_params(params)
    _restore_layers(s, run.layers)
    _surgery(s, run.surgery)
    opt = run.optimizer
    if opt.name != s.config.optimizer:
        raise bad_run(
            "optimizer.name", f"optimizer.name must be {s.config.optimizer!r}, as in the config"
        )
    state = {}
    for k, slots in opt.state.items():
        if k not in s.net.params:
            raise bad_run(f"optimizer.state.{k}", f"optimizer state for {k!r}: no such param")
        unknown = set(slots) - set(s.opt.slots)
        if unknown:
            raise bad_run(
                f"optimizer.state.{k}", f"{s.config.optimizer} has no slot {sorted(unknown)[0]!r}"
            )
        shape = s.net.params[k].shape
        state[k] = {
            n: _array(f"optimizer.state.{k}.{n}", v, shape, dtype) for n, v in slots.items()
        }
    if state or opt.t:
        s.opt.load_state(s.net.params, s.net.grads, opt.t, state)
    b = run.batches
    order = _array("batches.order", b.order, (s.n_train,), "<i8")
    if not np.array_equal(np.sort(order), np.arange(s.n_train)):
        raise bad_run("batches.order", f"the batch order must be a permutation of {s.n_train}")
    if b.cursor > s.n_train:
        raise bad_run("batches.cursor", f"the batch position must be at most {s.n_train}")
    rng = b.rng.model_dump()
    rng["state"] = {k: int(v, 16) for k, v in rng["state"].items()}
    s.rng.bit_generator.state = rng
    s.order, s.cursor = order, b.cursor
    try:  # the frame the tab will show: a run that cannot make one is refused here
        s.frame("paused")
    except Exception as e:
        raise bad_run(None, f"the run does not fit together ({type(e).__name__}: {e})") from None
    s.history = _history("history", run.history, len(s.net.sizes) - 1)
    s.pins = _pins(run.pins or [])
    s.restart_path()  # the landscape's path starts at the saved step
    if run.stopping is not None:  # runs saved before schedules and stopping lack it
        try:
            s.stops.load(run.stopping, lambda v: unpacked(v, MAX_ARRAY_BYTES))
        except (ValueError, TypeError, KeyError) as e:
            raise bad_run("stopping", f"stopping does not fit this run: {e}") from None
        best = s.stops.best_params
        if best is not None and {k: v.shape for k, v in best.items()} != {
            k: v.shape for k, v in s.net.params.items()
        }:
            raise bad_run("stopping", "stopping.best_params do not fit this network")


def _layers_state(net) -> dict[str, Any] | None:
    """Per-layer settings' state: batch norm's running statistics and the generator the
    dropout masks come from (None for a plain net: it has neither)."""
    if net.blocks is None:
        return None
    rng = net.rng.bit_generator.state
    return {
        "running_stats": {k: packed(v) for k, v in net.running_stats().items()},
        "rng": {**rng, "state": {k: hex(v) for k, v in rng["state"].items()}},
    }


def _restore_layers(s: TrainingSession, saved: LayersState | None) -> None:
    if s.net.blocks is None or saved is None:
        return
    stats = s.net.running_stats()
    values = {}
    for k, p in saved.running_stats.items():
        if k not in stats:
            raise bad_run(f"layers.running_stats.{k}", f"no running statistics {k!r} here")
        values[k] = _array(f"layers.running_stats.{k}", p, stats[k].shape, ("<f4", "<f8"))
    s.net.set_running_stats(values)
    rng = saved.rng.model_dump()
    rng["state"] = {k: int(v, 16) for k, v in rng["state"].items()}
    s.net.rng.bit_generator.state = rng


def _surgery(s: TrainingSession, ops: Surgery | None) -> None:
    """Freeze and kill the units the run lists (absent in runs saved before surgery)."""
    if ops is None:
        return
    for what in ("frozen", "killed"):
        pairs = getattr(ops, what)
        if len(pairs) > sum(s.net.sizes[1:]):
            raise bad_run(
                f"surgery.{what}", f"surgery.{what} lists more units than the network has"
            )
        for layer, unit in pairs:
            try:
                s.net = set_unit(s.net, what, layer, unit, True)
            except (ValueError, TypeError, KeyError, IndexError) as e:
                raise bad_run(
                    f"surgery.{what}", f"surgery.{what} does not fit this run: {e}"
                ) from None


# -- pieces ----------------------------------------------------------------------------------


def _array(
    field: str, p: Packed, shape: tuple[int, ...], dtype: str | tuple[str, ...]
) -> np.ndarray:
    """The packed array, once its declared shape and dtype are the ones expected."""
    dtypes = (dtype,) if isinstance(dtype, str) else dtype
    if tuple(p.shape) != tuple(shape) or p.dtype not in dtypes:
        raise bad_run(
            field,
            f"{field} must be {' or '.join(dtypes)} of shape {tuple(shape)}; "
            f"got {p.dtype} of shape {tuple(p.shape)}",
        )
    try:
        return unpacked(p.model_dump(), MAX_ARRAY_BYTES)
    except ValueError as e:
        raise bad_run(field, f"{field}: {e}") from None


def _history(field: str, columns: Any, n_layers: int | None) -> History:
    if columns is None:
        return History(n_layers or 0)
    try:
        h = History.from_columns(columns)
    except ValueError as e:
        raise bad_run(field, f"{field}: {e}") from None
    if n_layers is not None and h.n_layers != n_layers:
        raise bad_run(field, f"{field}: {h.n_layers} gradient-norm columns for {n_layers} layers")
    return h


def _pins(pins: list[Any]) -> list[dict[str, Any]]:
    out = []
    for i, p in enumerate(pins):
        try:
            cfg = TrainingConfig.model_validate(p.config).model_dump()
        except ValidationError as e:
            err = explain(e)
            raise bad_run(f"pins.{i}.config.{err.field}", f"pin {i}: {err.message}") from None
        h = _history(f"pins.{i}.history", p.history, None)
        out.append({"config": cfg, "step": p.step, "history": h.to_columns()})
    return out


# -- uploaded or edited data -----------------------------------------------------------------


_PACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Dataset -> its dict


def _data_dict(d: Dataset) -> dict[str, Any]:
    """The data as a run file holds it; packed once per Dataset (a Dataset never changes:
    checkpoints every 2 s do not pack 20,000 rows again)."""
    if d not in _PACKED:
        _PACKED[d] = _pack_data(d)
    return _PACKED[d]


def _pack_data(d: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(d):
        v = getattr(d, f.name)
        if isinstance(v, np.ndarray):
            v = packed(v)
        elif isinstance(v, tuple):
            v = [list(x) if isinstance(x, tuple) else x for x in v]
        out[f.name] = v
    return out


def _dataset(d: Data, cfg: TrainingConfig) -> Dataset:
    """The run's own data, held to the upload limits and checked for consistency (shapes
    first, then values): a Dataset the session can train on, or bad_run."""
    xs, xt = d.X_train.shape, d.X_test.shape
    if len(xs) != 2 or len(xt) != 2 or xs[1] != xt[1] or xs[0] < 1:
        raise bad_run("data.X_train", "data.X_train and data.X_test must be (rows, columns) alike")
    (n_tr, f), n_te = xs, xt[0]
    if not 1 <= f <= MAX_FEATURES:
        raise bad_run(
            "data.X_train",
            f"data must have 1 to {MAX_FEATURES} columns; got {f}",
            max=MAX_FEATURES,
            got=f,
        )
    if n_tr + n_te > MAX_POINTS:
        raise bad_run(
            "data.X_train",
            f"data must have at most {MAX_POINTS:,} rows, as an upload; got {n_tr + n_te:,}",
            max=MAX_POINTS,
            got=n_tr + n_te,
        )
    if (n_tr + n_te) * f > MAX_CELLS:
        raise bad_run(
            "data.X_train",
            f"data must have at most {MAX_CELLS:,} numbers, as a 5 MB upload; "
            f"got {(n_tr + n_te) * f:,}",
        )
    if len(d.input_names) != f:
        raise bad_run("data.input_names", f"data.input_names must name the {f} inputs")
    regression = d.task == "regression"
    if regression != (d.n_classes == 0) or len(d.class_names) != d.n_classes:
        raise bad_run(
            "data.n_classes",
            "data.n_classes must be 0 for regression, else the number of class_names",
        )
    if not regression and d.n_classes < CLASSES_RANGE[0]:
        raise bad_run("data.n_classes", f"data must have at least {CLASSES_RANGE[0]} classes")
    width = {"2d": 2, "1d": 1, "table": f}[d.kind]
    if d.kind == "2d":
        try:
            features = validate_features(d.features)
        except DataError as e:
            raise bad_run("data.features", f"data.features: {e.message}") from None
        if len(features) != f:
            raise bad_run("data.features", f"data.features must be the {f} input columns")
    if d.kind != "table" and (d.raw_train is None or d.raw_test is None or d.bounds is None):
        raise bad_run("data.raw_train", f"{d.kind} data needs raw_train, raw_test and bounds")
    if d.bounds is not None and not all(lo < hi for lo, hi in d.bounds):
        raise bad_run("data.bounds", "data.bounds must be two (low, high) pairs, low < high")
    if d.mean is None or d.std is None:
        raise bad_run("data.mean", "data needs the mean and std of its raw inputs")
    floats = ("<f8", "<f4")
    y_dtype = floats if regression else ("<i8",)
    a: dict[str, Any] = {
        "X_train": _array("data.X_train", d.X_train, (n_tr, f), floats),
        "X_test": _array("data.X_test", d.X_test, (n_te, f), floats),
        "y_train": _array("data.y_train", d.y_train, (n_tr,), y_dtype),
        "y_test": _array("data.y_test", d.y_test, (n_te,), y_dtype),
        "mean": _array("data.mean", d.mean, (width,), "<f8"),
        "std": _array("data.std", d.std, (width,), "<f8"),
    }
    if d.raw_train is not None and d.raw_test is not None:
        a["raw_train"] = _array("data.raw_train", d.raw_train, (n_tr, width), "<f8")
        a["raw_test"] = _array("data.raw_test", d.raw_test, (n_te, width), "<f8")
    for name, v in a.items():
        if not np.isfinite(v).all() or np.abs(v).max(initial=0) > CSV_MAX_ABS:
            raise bad_run(
                f"data.{name}", f"data.{name} must hold finite numbers within ±{CSV_MAX_ABS:g}"
            )
    if not (a["std"] > 0).all():
        raise bad_run("data.std", "data.std must be positive")
    labels = np.concatenate([a["y_train"], a["y_test"]])
    if not regression and len(labels) and (labels.min() < 0 or labels.max() >= d.n_classes):
        raise bad_run("data.y_train", f"class labels must be 0 to {d.n_classes - 1}")
    if "raw_train" in a:  # the inputs must be what the raw points give
        z = (a["raw_train"] - a["mean"]) / a["std"]
        want = compute_features(z, features) if d.kind == "2d" else z
        if not np.allclose(want, a["X_train"], rtol=1e-5, atol=1e-6):
            raise bad_run("data.X_train", "data.X_train is not what raw_train, mean and std give")
    fields = d.model_dump(exclude=set(a))
    fields["features"] = tuple(fields["features"])
    for k in ("bounds", "axis_names"):
        if fields[k] is not None:
            fields[k] = tuple(tuple(x) if isinstance(x, list) else x for x in fields[k])
    data = Dataset(**fields, **a)
    if cfg.batch_size > 0 and data.n_train < 1:
        raise bad_run("data.y_train", "data needs training rows")
    return data
