"""The decision plane: boundary and neuron maps over a grid, sized from what they cost.

The plane is the costliest part of a frame: one forward pass of R x R grid points through
every layer, i.e. R² x (multiply-adds + per-unit work) of the network. A `PlanePlanner`
measures that cost as it goes and picks the resolution and cadence (the plane in every k-th
frame) that fit a time budget: coarse while a run changes fast, sharp (FULL_RES) when the
caller has time, e.g. paused. Neuron maps are sampled from the same pass at the size the page
draws them, within a byte budget, so a frame stays small whatever the network.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.training.frames.encode import grid

FULL_RES = 100  # like TensorFlow Playground's output heatmap
LADDER = (100, 80, 64, 50, 40, 32, 25, 20)  # resolutions tried, sharpest first
READABLE_RES = 40  # below this the plane is spread over frames before it gets coarser
MAX_EVERY = 15  # the plane at least twice a second at 30 frames/s
MAX_NEURON_MAPS = 16  # per layer; the diagram shows at most this many nodes a layer
NEURON_JSON = 22 * 1024  # all neuron maps of a frame, as JSON (a frame stays <= 64 KB)
GRID_JSON = 50  # a grid's JSON besides its base64 pixels
DEFAULT_NEURON_SIZE = 24  # px a map is drawn at until the page says (`view`)
UNIT_WORK = 200  # an activation + quantizing costs about as much as 200 multiply-adds
PRIOR_MS_PER_UNIT = 2e-8  # ms per (point x unit of work), until measured

# Bounded activations have a fixed colour range, so a neuron map's colour means the same
# value in every frame; unbounded ones use the map's own range.
ACTIVATION_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def point_work(sizes: list[int]) -> int:
    """Work of one grid point through a network of layer widths `sizes` (inputs first)."""
    macs = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    return macs + UNIT_WORK * sum(sizes[1:])


@dataclass(frozen=True)
class Plan:
    res: int  # R: the plane is R x R
    every: int  # the plane comes in every `every`-th frame


class PlanePlanner:
    """Resolution and cadence of one session's plane from its measured cost."""

    def __init__(self) -> None:
        self.ms_per_unit = PRIOR_MS_PER_UNIT
        self.measured = False
        self.last = Plan(FULL_RES, 1)

    def cost_ms(self, sizes: list[int], res: int) -> float:
        return res * res * point_work(sizes) * self.ms_per_unit

    def plan(self, sizes: list[int], budget_ms: float | None) -> Plan:
        """The sharpest plane that fits `budget_ms` a frame (None: no limit, FULL_RES)."""
        if budget_ms is None:
            return Plan(FULL_RES, 1)
        self.last = self._plan(sizes, budget_ms)
        return self.last

    def _plan(self, sizes: list[int], budget_ms: float) -> Plan:
        def fits(res: int, every: int = 1) -> bool:
            # Sharper than now only with room to spare: the plane does not flicker between two
            # resolutions as the measured cost wobbles.
            room = 0.75 if (res, -every) > (self.last.res, -self.last.every) else 1.0
            return self.cost_ms(sizes, res) <= room * every * budget_ms

        for res in LADDER:  # every frame, as sharp as fits while still readable
            if res >= READABLE_RES and fits(res):
                return Plan(res, 1)
        # Too costly for every frame: spread a readable plane over a few frames first.
        for every in (2, 3, 4):
            if fits(READABLE_RES, every):
                return Plan(READABLE_RES, every)
        for res in LADDER:
            if res < READABLE_RES and fits(res, 4):
                return Plan(res, 4)
        cost = self.cost_ms(sizes, LADDER[-1])
        return Plan(LADDER[-1], min(MAX_EVERY, math.ceil(cost / budget_ms)))

    def record(self, sizes: list[int], res: int, ms: float) -> None:
        """Learn from a measured plane: an average that follows a machine's load."""
        rate = ms / (res * res * point_work(sizes))
        self.ms_per_unit = rate if not self.measured else 0.8 * self.ms_per_unit + 0.2 * rate
        self.measured = True


def neuron_size(drawn: int, res: int, n_maps: int) -> int:
    """Side of a neuron map: as drawn, no finer than the plane, all maps in NEURON_JSON."""
    per_map = NEURON_JSON / max(n_maps, 1) - GRID_JSON  # base64 chars: 4 per 3 bytes
    fit = int(math.sqrt(max(per_map, 0) * 0.75))
    return max(4, min(drawn, res, fit))


def pack_boundary(probs: np.ndarray, n_classes: int) -> tuple[np.ndarray, int]:
    """Class and confidence of each grid point in one byte: class * levels + level.

    probs: (P, C) network outputs (C = 1: P(class 1) of a sigmoid unit). Confidence, the
    winning probability in [1/C, 1], is quantized to `levels` = 256 // C steps. Returns the
    bytes (P,) as float64 and `levels`.
    """
    probs = np.nan_to_num(np.asarray(probs, dtype=np.float64))  # a diverged net: class 0
    if probs.shape[1] == 1:
        p1 = probs[:, 0]
        classes = (p1 > 0.5).astype(np.float64)
        confidence = np.where(classes == 1, p1, 1.0 - p1)
    else:
        classes = probs.argmax(axis=1).astype(np.float64)
        confidence = probs.max(axis=1)
    c = max(n_classes, 2)
    levels = 256 // c
    t = np.clip((confidence - 1.0 / c) / (1.0 - 1.0 / c), 0.0, 1.0)
    return classes * levels + np.round(t * (levels - 1)), levels


def value_grid(out: np.ndarray, target_range: tuple[float, float], res: int) -> dict[str, Any]:
    """Regression: the predicted value out: (R*R, 1) as an R x R grid whose colour range is
    symmetric about 0 and covers the targets, so 0 is the neutral colour and a value means
    the same in every frame."""
    value = np.asarray(out[:, 0], dtype=np.float64).reshape(res, res)
    m = max(abs(target_range[0]), abs(target_range[1]))
    return grid(value, -m, m)


def plane(
    net, data, grid_inputs: np.ndarray, drawn: int = DEFAULT_NEURON_SIZE
) -> tuple[dict[str, Any], list[list[dict]], float]:
    """Decision boundary and per-neuron output maps from one forward pass over the plane.

    grid_inputs: (R*R, F) network inputs for the R x R grid over data.bounds, row-major with
    y as rows. drawn: the px size at which the page draws a neuron map. Returns the boundary
    (class and winning probability per cell, packed: see `pack_boundary`; for regression the
    predicted value), per hidden layer up to MAX_NEURON_MAPS maps of (S, S) sampled from the
    same pass, and the milliseconds taken.
    """
    t0 = time.perf_counter()
    res = int(round(np.sqrt(grid_inputs.shape[0])))
    acts = net.forward_layers(grid_inputs)
    (x0, x1), (y0, y1) = data.bounds
    boundary: dict[str, Any] = {
        "xs_range": [x0, x1],
        "ys_range": [y0, y1],
        "resolution": res,
        "full_resolution": FULL_RES,
    }
    if data.is_regression:
        boundary.update(value=value_grid(acts[-1], data.target_range, res), cells=None)
    else:
        cells, levels = pack_boundary(acts[-1], data.n_classes)
        boundary.update(
            n_classes=max(data.n_classes, 2),
            levels=levels,
            cells=grid(cells.reshape(res, res), 0, 255),
            value=None,
        )
    hidden = acts[:-1]
    n_maps = sum(min(a.shape[1], MAX_NEURON_MAPS) for a in hidden)
    side = neuron_size(drawn, res, n_maps)
    pick = np.round(np.linspace(0, res - 1, side)).astype(np.intp)  # nearest grid cells
    lo_hi = ACTIVATION_RANGE.get(net.activation, (None, None))
    neurons = []
    for a in hidden:
        k = min(a.shape[1], MAX_NEURON_MAPS)
        maps = np.asarray(a[:, :k]).reshape(res, res, k)[np.ix_(pick, pick)]
        neurons.append([grid(maps[:, :, j], *lo_hi) for j in range(k)])
    return boundary, neurons, (time.perf_counter() - t0) * 1000
