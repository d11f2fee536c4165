"""Saved runs: a session as JSON and back, so that a run continues bit for bit anywhere.

A run file holds the config, the weights, the optimizer state, the counters, the batch order
(the generator's state, the epoch's permutation and the position in it), the curves'
history, the pins and, for uploaded or edited data, the data itself. Arrays are `packed`
(exact bytes, zlib + base64). Built-in data is rebuilt from the config, as the page does.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from pydantic import ValidationError

from app import __version__
from app.data.dataset import Dataset
from app.training.frames.encode import packed, unpacked
from app.training.live.config import ConfigError, TrainingConfig, explain
from app.training.live.history import History
from app.training.live.pins import MAX_PINS
from app.training.live.session import TrainingSession

FORMAT = "backprop-playground-run"
VERSION = 1


def run_filename(session: TrainingSession) -> str:
    return f"{session.config.dataset}_step{session.step}.run.json"


def save_run(session: TrainingSession) -> dict[str, Any]:
    """The session as a JSON-ready dict. Call holding the session's lock."""
    net, opt = session.net, session.opt
    state = {k: {slot: packed(v) for slot, v in slots.items()} for k, slots in opt.state.items()}
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
        "params": {k: packed(v) for k, v in net.params.items()},
        "optimizer": {"name": session.config.optimizer, "t": opt.t, "state": state},
        "batches": {
            # 128-bit integers as text: JavaScript numbers would round them
            "rng": {**rng, "state": {k: hex(v) for k, v in rng["state"].items()}},
            "order": packed(session.order),
            "cursor": session.cursor,
        },
        "data": _data_dict(session.data) if session.config.dataset == "custom" else None,
        "history": session.history.to_columns(),
        "pins": session.pins,
        # stop_at / early stopping: what fired, and the best weights so far
        "stopping": session.stops.to_dict(packed),
    }


def load_run(run: Any) -> TrainingSession:
    """A new session in the saved state. Raises ConfigError naming what is wrong."""
    if not isinstance(run, dict) or run.get("format") != FORMAT:
        raise ConfigError("run", f'not a Backprop Playground run (no "format": "{FORMAT}")')
    if run.get("version") != VERSION:
        raise ConfigError(
            "version", f"run files of version {run.get('version')!r} are not supported; "
            f"this version reads version {VERSION}"
        )  # fmt: skip
    try:
        cfg = TrainingConfig.model_validate(run.get("config"))
    except ValidationError as e:
        raise explain(e) from e
    custom = _dataset(_part(run, "data", dict)) if cfg.dataset == "custom" else None
    session = TrainingSession(cfg, custom=custom)
    with session.lock:
        _restore(session, run)
    return session


def _restore(s: TrainingSession, run: dict[str, Any]) -> None:
    counters = _part(run, "counters", dict)
    s.step = _count(counters, "step")
    s.examples = _count(counters, "examples")
    diverged = counters.get("diverged_at")
    s.diverged_at = None if diverged is None else _count(counters, "diverged_at")
    params = {k: _array("params", v) for k, v in _part(run, "params", dict).items()}
    if set(params) != set(s.net.params):
        raise ConfigError("params", f"params must be {', '.join(s.net.params)} for this config")
    _guard("params", s.net.set_params, params)
    opt = _part(run, "optimizer", dict)
    state = {
        k: {slot: _array("optimizer", v) for slot, v in _checked(slots, dict).items()}
        for k, slots in _part(opt, "state", dict).items()
    }
    t = _count(opt, "t")
    if state or t:
        _guard("optimizer", s.opt.load_state, s.net.params, s.net.grads, t, state)
    batches = _part(run, "batches", dict)
    order = _array("batches", _part(batches, "order", dict))
    if not np.array_equal(np.sort(order), np.arange(s.n_train)):
        raise ConfigError("batches", f"the batch order must be a permutation of {s.n_train}")
    cursor = _count(batches, "cursor")
    if cursor > s.n_train:
        raise ConfigError("batches", f"the batch position must be at most {s.n_train}")
    rng = _part(batches, "rng", dict)
    inner = _part(rng, "state", dict)
    _guard(
        "batches",
        setattr,
        s.rng.bit_generator,
        "state",
        {**rng, "state": {k: int(v, 16) for k, v in inner.items()}},
    )
    s.order, s.cursor = order.astype(np.int64), cursor
    s.history = _guard("history", _history, run.get("history"), len(s.net.sizes) - 1)
    s.pins = _pins(run.get("pins") or [])
    s.restart_path()  # the landscape's path starts at the saved step
    if run.get("stopping") is not None:  # runs saved before schedules and stopping lack it
        _guard("stopping", s.stops.load, _part(run, "stopping", dict), unpacked)
        if s.stops.best_params is not None and set(s.stops.best_params) != set(s.net.params):
            raise ConfigError("stopping", "stopping.best_params do not fit this network")


# -- pieces ----------------------------------------------------------------------------------


def _part(d: dict[str, Any], key: str, kind: type) -> Any:
    if not isinstance(d.get(key), kind):
        raise ConfigError(key, f"a run needs {key!r} as a JSON {kind.__name__}")
    return d[key]


def _checked(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ConfigError("optimizer", "optimizer state must map names to slots")
    return value


def _count(d: dict[str, Any], key: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ConfigError(key, f"{key} must be a whole number >= 0; got {v!r}")
    return v


def _array(field: str, value: Any) -> np.ndarray:
    try:
        return unpacked(value)
    except ValueError as e:
        raise ConfigError(field, f"{field}: {e}") from e


def _guard(field: str, fn, *args) -> Any:
    """Call fn; any complaint about the values becomes a ConfigError on `field`."""
    try:
        return fn(*args)
    except (ValueError, TypeError, KeyError) as e:
        raise ConfigError(field, f"{field} do not fit this run: {e}") from e


def _history(columns: Any, n_layers: int) -> History:
    if columns is None:
        return History(n_layers)
    h = History.from_columns(columns)
    if h.n_layers != n_layers:
        raise ValueError(f"{h.n_layers} gradient-norm columns for {n_layers} layers")
    return h


def _pins(pins: Any) -> list[dict[str, Any]]:
    if not isinstance(pins, list) or len(pins) > MAX_PINS:
        raise ConfigError("pins", f"pins must be a list of at most {MAX_PINS}")
    out = []
    for p in pins:
        if not isinstance(p, dict) or not isinstance(p.get("config"), dict):
            raise ConfigError("pins", "each pin needs its config and history")
        h = _guard("pins", History.from_columns, p.get("history"))
        out.append({"config": p["config"], "step": p.get("step", 0), "history": h.to_columns()})
    return out


# -- uploaded or edited data -----------------------------------------------------------------


def _data_dict(d: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(d):
        v = getattr(d, f.name)
        if isinstance(v, np.ndarray):
            v = packed(v)
        elif isinstance(v, tuple):
            v = [list(x) if isinstance(x, tuple) else x for x in v]
        out[f.name] = v
    return out


def _dataset(raw: dict[str, Any]) -> Dataset:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(Dataset):
        if f.name not in raw:
            if f.default is dataclasses.MISSING:
                raise ConfigError("data", f"the run's data lacks {f.name!r}")
            continue
        v = raw[f.name]
        if isinstance(v, dict) and "b64" in v:
            v = _array("data", v)
        elif isinstance(v, list) and "tuple" in str(f.type):
            v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        kwargs[f.name] = v
    d = _guard("data", lambda: Dataset(**kwargs))
    shapes_ok = (
        d.kind in ("1d", "2d", "table", "image")
        and d.X_train.ndim == d.X_test.ndim == 2
        and d.X_train.shape[0] == len(d.y_train) > 0
        and d.X_test.shape[0] == len(d.y_test)
        and d.X_test.shape[1] == d.X_train.shape[1]
        and (d.kind != "2d" or (d.raw_train is not None and d.mean is not None))
    )
    labels = np.concatenate([d.y_train, d.y_test])
    if not shapes_ok or (not d.is_regression and (labels.min() < 0 or labels.max() >= d.n_classes)):
        raise ConfigError("data", "the run's data is inconsistent (shapes or labels)")
    return d
