"""Step-through: one real training step with every chain-rule quantity, and its gradient check.

The numbers come from the engine's own trace of that step (the very arrays the update used),
so what the page shows is what happened, not a re-enactment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn.activations import LEAKY_SLOPE
from app.nn.blocks import EPS
from app.nn.gradcheck import numeric_gradient_entry, relative_error
from app.training.frames.encode import exact, grid
from app.training.live.config import ConfigError

MAX_LISTED = 4096  # arrays larger than this are summarized, not listed
DW_IMAGES = 16


def run_trace(session, example: int | None = None, split: str = "train") -> dict[str, Any]:
    """Take one training step on the next mini-batch (or one chosen example) and describe it.

    The step is a normal step: the session's weights, optimizer state and counters advance
    exactly as `advance(1)` would have advanced them on that batch.
    """
    s = session
    if example is None:
        idx = s.next_batch()
        Xb, yb = s.X_train[idx], s.y_train[idx]
    else:
        X, y = (s.X_train, s.y_train) if split == "train" else (s.X_test, s.y_test)
        if not 0 <= example < len(y):
            raise ConfigError(
                "example",
                f"example must be between 0 and {len(y) - 1} in the {split} set; got {example}",
                "out_of_range",
            )
        Xb, yb = X[example : example + 1], y[example : example + 1]
    net = s.net
    before = net.copy_params()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        loss_before = float(net.loss(Xb, yb))
        loss = s.train_on(Xb, yb)
        image_shape = s.data.image_shape if s.data.kind == "image" else None
        layers = [_layer(lt, before, net, image_shape) for lt in net.trace.layers]
        y_hat = exact(net.trace.y_hat) if net.trace.y_hat.size <= MAX_LISTED else None
        # Serialized above, before this forward pass could reuse the trace's buffers.
        loss_after = float(net.loss(Xb, yb))
    masks = [None if lt.mask is None else lt.mask.copy() for lt in net.trace.layers[:-1]]
    s.last_trace = {"X": Xb.copy(), "y": yb.copy(), "params": before, "masks": masks}
    cfg = s.config
    return {
        "type": "trace",
        "step": s.step,
        "example": example,
        "split": split,
        "batch_size": int(len(yb)),
        "loss_name": cfg.loss,
        "activation": cfg.activation,
        "optimizer": cfg.optimizer,
        "learning_rate": float(s.opt.learning_rate),  # the one the update used (schedules)
        "momentum": cfg.momentum,
        "beta1": cfg.beta1,
        "beta2": cfg.beta2,
        "rho": cfg.rho,
        "leaky_slope": LEAKY_SLOPE,
        "l1": cfg.l1,
        "l2": cfg.l2,
        "dtype": cfg.dtype,
        "loss_before": loss_before,
        "loss": loss,
        "loss_after": loss_after,
        "inputs": exact(Xb) if Xb.size <= MAX_LISTED else None,
        "input_names": list(s.data.input_names) if Xb.shape[1] <= 64 else None,
        "labels": yb.tolist(),
        "task": s.data.task,  # "regression": labels are target values, not classes
        "y_hat": y_hat,
        "class_names": list(s.data.class_names),
        "layers": layers,
    }


def _layer(lt, before: dict, net, image_shape: tuple[int, int] | None) -> dict[str, Any]:
    """One layer of the trace; image_shape (H, W) adds layer 1's dW as images."""
    i = lt.index
    W_old, b_old = before[f"W{i}"], before[f"b{i}"]
    W_new, b_new = net.params[f"W{i}"], net.params[f"b{i}"]
    arrays = {
        "a_in": lt.a_in,
        "W": W_old,
        "b": b_old,
        "z": lt.z,
        "a": lt.a,
        "dL_da": lt.dL_da,
        "f_prime": lt.f_prime,
        "dL_dz": lt.dL_dz,
        "dW": lt.dW,
        "db": lt.db,
        "dL_da_in": lt.dL_da_in,
        "delta_W": W_new - W_old,
        "delta_b": b_new - b_old,
        "W_new": W_new,
        "b_new": b_new,
    }
    out: dict[str, Any] = {
        "name": str(i),
        "activation": lt.activation,  # the output layer's is the loss's: softmax, sigmoid...
        "output": i == len(net.sizes) - 1,
        "shape": [int(W_old.shape[0]), int(W_old.shape[1])],
    }
    summary = {}
    for key, a in arrays.items():
        if a is None:
            out[key] = None
            continue
        a = np.asarray(a)
        out[key] = exact(a) if a.size <= MAX_LISTED else None
        summary[key] = {
            "norm": float(np.linalg.norm(a)),
            "min": float(a.min()),
            "max": float(a.max()),
            "shape": list(a.shape),
        }
    out["summary"] = summary
    if lt.index < len(net.sizes) - 1:
        out.update(_settings(lt, before, net))
    if image_shape is not None and i == 1:
        dW = np.asarray(lt.dW)
        out["dW_images"] = []
        for k in range(min(DW_IMAGES, dW.shape[1])):
            m = float(np.abs(dW[:, k]).max()) or 1.0
            out["dW_images"].append(grid(dW[:, k].reshape(image_shape), -m, m))
    return out


def _settings(lt, before: dict, net) -> dict[str, Any]:
    """A hidden layer's own settings and their numbers in this step: the norm's forward
    (mu, var, x_hat, y = gamma x_hat + beta) and backward (the three terms of dx), the
    dropout mask, and the residual's two paths (dL_da_in = dL_da_through + dL_da)."""
    out: dict[str, Any] = {
        "norm": None,
        "dropout": lt.dropout,
        "mask": _listed(lt.mask),
        "act_out": _listed(lt.act_out),
        "residual": lt.residual,
        "dL_da_through": _listed(lt.dL_da_through) if lt.residual else None,
    }
    if lt.norm_parts is not None:
        name = f"norm{lt.index}"
        norm = {"kind": lt.norm, "eps": EPS}
        for key, value in lt.norm_parts.items():
            norm[key] = _listed(value)
        for part in ("gamma", "beta"):
            norm[part] = _listed(before[f"{name}.{part}"])
            norm[f"{part}_new"] = _listed(net.params[f"{name}.{part}"])
        out["norm"] = norm
    return out


def _listed(a) -> Any:
    if a is None:
        return None
    a = np.asarray(a)
    return exact(a) if a.size <= MAX_LISTED else None


def gradient_check(session, param: str, index: list[int]) -> dict[str, Any]:
    """Finite-difference estimate of dL/d param[index] at the traced step, beside analytic.

    Both are computed in float64 on the traced batch and the weights before its update.
    """
    ctx = session.last_trace
    if ctx is None:
        raise ConfigError("param", "run a trace first: the check uses the traced batch", "no_trace")
    before = ctx["params"]
    if param not in before:
        raise ConfigError("param", f"param must be one of {', '.join(before)}; got {param!r}")
    shape = before[param].shape
    if len(index) != len(shape) or not all(0 <= j < n for j, n in zip(index, shape, strict=True)):
        raise ConfigError(
            "index", f"index for {param} must be within {list(shape)}; got {index}", "out_of_range"
        )
    net64 = session.net.copy("float64")  # same architecture and settings, float64
    net64.set_params(before)
    X = np.asarray(ctx["X"], dtype=np.float64)
    y = ctx["y"]
    masks = ctx.get("masks")  # the step's dropout, so both sides differentiate one function
    _, grads = net64.gradients(X, y, masks=masks)
    analytic = float(grads[param][tuple(index)])
    numeric = float(numeric_gradient_entry(net64, X, y, param, tuple(index), masks=masks))
    return {
        "type": "gradcheck",
        "param": param,
        "index": list(index),
        "analytic": analytic,
        "numeric": numeric,
        "rel_error": float(relative_error(analytic, numeric)),
    }
