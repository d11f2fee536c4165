"""Building a session's frames within a time budget.

A frame always has the curves and numbers (step, loss, accuracy, per-layer norms). Its costly
parts are sized from what they cost against the budget the caller gives:
- the plane (boundary + neuron maps) at a resolution and cadence from `plane.PlanePlanner`;
- train/test evaluation in rolling blocks (`evaluation.SplitEval`);
- histograms ~10/s, MNIST parts ~2/s and the hidden space (when watched) ~5/s while running,
  in every paused frame.
A frame without a budget (paused, after a change) is sharp and exact. Work is shared: the
neuron maps come from the boundary's forward pass, histograms and unit health from the train
evaluation's activations, MNIST's confusion matrix and samples from the test evaluation's.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from app.training.frames import curve, hidden_space, page_plane, parts, plane
from app.training.frames.encode import json_safe
from app.training.frames.evaluation import SplitEval

HEAVY_INTERVAL = 0.5  # seconds between MNIST's heavy frame parts
HIST_INTERVAL = 0.1  # seconds between histograms: ten a second is smooth enough to read
PLANE_SHARE = 0.6  # of a frame's budget; the rest goes to evaluation


class FrameBuilder:
    """Per-session frame state: what each costly part costs and when it was last sent."""

    def __init__(self) -> None:
        self.planner = plane.PlanePlanner()  # kept across rebuilds: the machine is the same
        self.neuron_px = plane.DEFAULT_NEURON_SIZE
        # What the page shows (`view`): parts it does not show, or draws itself, are not sent.
        self.page_plane = False  # the page computes small planes from W and b (forward.js)
        self.grads = True  # dW and db for the diagram
        self.hists = True  # histograms
        self.count = 0
        self.reset(None)

    def set_view(
        self,
        neuron_px: int | None = None,
        plane: str | None = None,
        grads: bool | None = None,
        hists: bool | None = None,
    ) -> bool:
        """What the page shows (the `view` message; None: as it was). True if the parts of a
        frame changed."""
        before = (self.page_plane, self.grads, self.hists)
        self.neuron_px = self.neuron_px if neuron_px is None else neuron_px
        self.page_plane = self.page_plane if plane is None else plane == "page"
        self.grads = self.grads if grads is None else grads
        self.hists = self.hists if hists is None else hists
        return (self.page_plane, self.grads, self.hists) != before

    def adopt_view(self, other: FrameBuilder) -> None:
        """Send frames for the page `other` sent to (a run opened in the same tab)."""
        self.neuron_px, self.page_plane = other.neuron_px, other.page_plane
        self.grads, self.hists = other.grads, other.hists

    def reset(self, session) -> None:
        """Forget everything about the previous run's data and model."""
        self.last_heavy = self.last_hist = 0.0
        if session is None:
            return
        X, y, idx = session.X_train, session.y_train, session.eval_idx
        self.train = SplitEval(X, y) if idx is None else SplitEval(X[idx], y[idx])
        self.test = SplitEval(session.X_test, session.y_test)

    def build(
        self, s, state: str, budget_ms: float | None, with_plane: bool = True
    ) -> dict[str, Any]:
        """Session `s` now. budget_ms: what the costly parts may take (None: sharp, exact).
        with_plane=False: no boundary, neuron maps or curve (progress frames)."""
        net, d = s.net, s.data
        now = time.monotonic()
        self.count += 1
        exact = budget_ms is None
        paused = state != "running"
        hists = self.hists and (paused or now - self.last_hist >= HIST_INTERVAL)
        if hists:
            self.last_hist = now
        heavy = d.kind == "image" and (paused or now - self.last_heavy >= HEAVY_INTERVAL)
        eval_ms = None if exact else (1 - PLANE_SHARE) * budget_ms / 2
        with np.errstate(all="ignore"):
            train, hidden = self.train.measure(net, eval_ms)
            test, test_acts = self.test.measure(net, None if heavy else eval_ms)
            out: dict[str, Any] = {
                "type": "frame",
                "step": s.step,
                "epoch": round(s.epoch, 3),
                "examples": s.examples,
                "state": "diverged" if s.diverged else state,
                "learning_rate": s.learning_rate_now(),  # the schedule's, in force
                "batch_size": min(s.config.batch_size, s.n_train),
                "train": train,
                "test": test,
                "layers": parts.layer_stats(net, s.opt, hidden, hists, self.grads),
                "plane_by": None,
                "boundary": None,
                "neurons": None,
                "mnist": None,
                "curve": None,
                "hidden": hidden_space.due(s.hidden_view, net, d, not paused, now, s.config.dtype),
            }
            if d.kind == "2d" and with_plane and self.page_plane and page_plane.drawable(net, d):
                out["plane_by"] = "page"  # from the frame's W and b: static/js/forward.js
            elif d.kind == "2d" and with_plane:
                out["plane_by"] = "server"
                plan = self.planner.plan(net.sizes, None if exact else PLANE_SHARE * budget_ms)
                if exact or self.count % plan.every == 0:
                    out["boundary"], out["neurons"], ms = plane.plane(
                        net, d, s.grid_inputs(plan.res), self.neuron_px
                    )
                    self.planner.record(net.sizes, plan.res, ms)
            if d.kind == "1d" and with_plane:  # 100 points: cheap at any size
                out["curve"], out["neurons"] = curve.curve(net, *s.line())
            if heavy:
                out["mnist"] = parts.mnist_parts(
                    net, s.y_test, test_acts[-1], s.sample_idx, d.n_classes, d.image_shape
                )
                self.last_heavy = now
        return json_safe(out) if s.diverged else out
