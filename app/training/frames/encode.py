"""Compact JSON encodings for arrays: quantized grids, rounded lists, histograms."""

from __future__ import annotations

import base64
import math
import zlib
from typing import Any

import numpy as np


def grid(values: np.ndarray, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """Quantize a 2-D array to uint8 and base64 it: ~1.3 bytes a cell instead of ~8.

    values: (R, C). Cell k decodes as lo + byte[k] / 255 * (hi - lo).
    """
    v = np.asarray(values, dtype=np.float64)
    if lo is None or hi is None:
        finite = v[np.isfinite(v)]
        lo = (float(finite.min()) if finite.size else 0.0) if lo is None else lo
        hi = (float(finite.max()) if finite.size else 1.0) if hi is None else hi
    lo, hi = float(lo), float(hi)
    span = hi - lo if hi > lo else 1.0
    q = (v - lo) * (255.0 / span) + 0.5  # +0.5 then truncation rounds to nearest
    np.clip(q, 0, 255, out=q)
    q[~np.isfinite(q)] = 0
    return {
        "shape": list(v.shape),
        "min": lo,
        "max": hi,
        "b64": base64.b64encode(q.astype(np.uint8).tobytes()).decode("ascii"),
    }


def decode_grid(g: dict[str, Any]) -> np.ndarray:
    """Inverse of `grid` (for tests and tools); returns (R, C) float64."""
    raw = np.frombuffer(base64.b64decode(g["b64"]), dtype=np.uint8).astype(np.float64)
    return (g["min"] + raw / 255.0 * (g["max"] - g["min"])).reshape(g["shape"])


def rounded(a: np.ndarray | float, digits: int = 4) -> Any:
    """A nested list (or float) with `digits` significant digits: JSON that stays small.

    Non-finite values become None (JSON has no NaN).
    """
    arr = np.asarray(a, dtype=np.float64)
    if arr.size <= 64:  # small arrays (most of a frame): plain Python is faster than ufuncs
        fmt = f"{{:.{digits}g}}"
        flat = [float(fmt.format(x)) if math.isfinite(x) else None for x in arr.ravel().tolist()]
        return np.array(flat, dtype=object).reshape(arr.shape).tolist() if arr.ndim else flat[0]
    finite = np.isfinite(arr)
    safe = np.where(finite & (arr != 0), np.abs(arr), 1.0)
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(safe)))
    out = np.where(finite, np.round(arr * scale) / scale, 0.0)
    if not finite.all():
        out = np.where(finite, out, None)
    return out.tolist() if out.ndim else out.item()


def exact(a: np.ndarray | float) -> Any:
    """A nested list of full-precision floats (the step-through shows every digit)."""
    arr = np.asarray(a, dtype=np.float64)
    return arr.tolist()


def histogram(values: np.ndarray, bins: int = 20) -> dict[str, list] | None:
    """Counts of `values` (any shape) in `bins` equal bins spanning their range.

    np.bincount on the bin index: several times faster than np.histogram at these sizes.
    """
    v = np.asarray(values).ravel()
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):  # a diverging run: count what is finite
        v = v[np.isfinite(v)]
        if v.size == 0:
            return None
        lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    idx = ((v - lo) * (bins / (hi - lo))).astype(np.int64)
    np.minimum(idx, bins - 1, out=idx)  # the maximum belongs to the last bin
    counts = np.bincount(idx, minlength=bins)
    return {"edges": rounded(np.linspace(lo, hi, bins + 1), 4), "counts": counts.tolist()}


def json_safe(x: Any) -> Any:
    """x with every NaN or infinity replaced by None: JSON has no NaN (a diverged run)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [json_safe(v) for v in x]
    return x


def packed(a: np.ndarray) -> dict[str, Any]:
    """An array exactly, in little room: {"dtype", "shape", "b64" of its zlib-ed bytes}.

    Unlike `grid` nothing is rounded: a saved run continues bit for bit.
    """
    a = np.ascontiguousarray(a)
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    raw = zlib.compress(a.astype(dt, copy=False).tobytes(), 6)
    return {"dtype": dt.str, "shape": list(a.shape), "b64": base64.b64encode(raw).decode("ascii")}


def unpacked(p: dict[str, Any]) -> np.ndarray:
    """Inverse of `packed`; raises ValueError if the text is not a packed array."""
    try:
        raw = zlib.decompress(base64.b64decode(p["b64"], validate=True))
        dt = np.dtype(p["dtype"])
        shape = tuple(int(n) for n in p["shape"])
    except (KeyError, TypeError, ValueError, zlib.error) as e:
        raise ValueError(f"not a packed array ({e})") from None
    if dt.kind not in "biuf" or len(raw) != dt.itemsize * math.prod(shape):
        raise ValueError(f"packed array of {len(raw)} bytes does not fit {dt.str} {shape}")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
