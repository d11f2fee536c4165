"""The teacher's `roster`: one small entry per student, about once a second.

An entry is what a thumbnail shows: name, step, epoch, losses (train, test), the run's state
and stuck code, how its config differs from the class's, a loss sparkline and a 16 x 16
decision boundary. It stays near 1 KB (the budget is 2 KB a second a student): numbers are
rounded, the boundary is one byte a cell in base64 (like a frame's, app/training/frames/plane.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.training.frames.encode import grid
from app.training.frames.plane import pack_boundary
from app.web.classroom import Classroom, Student

THUMB_RES = 16  # cells a side of a thumbnail's boundary
LOCK_WAIT_S = 0.02  # a session busy for longer keeps its last thumbnail this second


def roster(cls: Classroom) -> dict[str, Any]:
    """The `roster` message for the class now. Call from the event loop; it runs the nets
    for the thumbnails in a worker thread (see `entries`)."""
    return {"type": "roster", "code": cls.code, "students": list(cls.students.items())}


def entries(msg: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Fill a `roster` message's (id, Student) pairs in (in a worker thread)."""
    msg["students"] = [entry(sid, st, base) for sid, st in msg["students"]]
    return msg


def entry(sid: str, st: Student, base: dict[str, Any]) -> dict[str, Any]:
    runner = st.runner
    f = runner.last_frame or {}
    session = runner.session
    test = _scores(f.get("test"))
    loss = test.get("loss") if test else None
    if loss is not None:
        st.spark.append(loss)
    config = session.config.model_dump()
    state = "diverged" if session.diverged else runner._state()
    st.thumb = thumbnail(session) or st.thumb
    return {
        "id": sid,
        "name": st.name,
        "step": f.get("step", session.step),
        "epoch": f.get("epoch", 0),
        "train": _scores(f.get("train")),
        "test": test,
        "state": state,
        "stuck": runner._stuck.said,
        "config_diff": {k: v for k, v in config.items() if base.get(k) != v},
        "dataset": config["dataset"],
        "spark": list(st.spark),
        "boundary": st.thumb,
    }


def _scores(part: dict[str, Any] | None) -> dict[str, Any] | None:
    """Loss and accuracy (or R²) to 4 significant digits; null where not a number."""
    if not part:
        return None
    out = {}
    for k in ("loss", "accuracy", "r2"):
        v = part.get(k)
        if isinstance(v, (int, float)) and math.isfinite(v):
            out[k] = float(f"{v:.4g}")
        elif k in part:
            out[k] = None
    return out


def thumbnail(session: Any) -> dict[str, Any] | None:
    """2-D data: the decision boundary on a THUMB_RES grid (class and confidence per cell,
    packed as in a frame: `pack_boundary`), or the predicted value for regression. None for
    other data, or when the session stayed busy (the caller keeps the last one)."""
    d = session.data
    if d.kind != "2d":
        return None
    if not session.lock.acquire(timeout=LOCK_WAIT_S):
        return None
    try:
        with np.errstate(all="ignore"):
            out = session.net.forward_layers(session.grid_inputs(THUMB_RES))[-1]
            out = np.array(out, dtype=np.float64)  # a copy: the net reuses its buffers
    finally:
        session.lock.release()
    if d.is_regression:
        lo, hi = d.target_range
        m = max(abs(lo), abs(hi)) or 1.0
        return {"res": THUMB_RES, "value": grid(out[:, 0].reshape(THUMB_RES, THUMB_RES), -m, m)}
    cells, levels = pack_boundary(out, d.n_classes)
    return {
        "res": THUMB_RES,
        "n_classes": max(d.n_classes, 2),
        "levels": levels,
        "cells": grid(cells.reshape(THUMB_RES, THUMB_RES), 0, 255)["b64"],
    }
