"""Frames: what a session looks like at one moment, as plain dicts of numbers.

A frame is built from the live network and the last step's trace; it knows nothing of
transport. Arrays that the page only colours (boundary, neuron maps, weight images) travel as
quantized grids; numbers the page prints are rounded to 4 significant digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn import unit_health
from app.nn.lab import surgery
from app.nn.symmetry import distinct_units
from app.training.frames.encode import grid, histogram, rounded

MAX_DIAGRAM_WEIGHTS = 1024  # W and dW are listed for layers at most this big,
DIAGRAM_NODES = 16  # between the first 16 nodes of each column: what the diagram draws
_SHOWN = (slice(DIAGRAM_NODES), slice(DIAGRAM_NODES))
MNIST_WEIGHT_IMAGES = 16


def evaluate(net, X: np.ndarray, y: np.ndarray) -> tuple[dict[str, float], list[np.ndarray]]:
    """Loss (penalties included) and accuracy (classes) or R² (real targets) of `net` on
    X: (N, F), y: (N,), and the activations of every layer [(N, h1), ..., (N, C)], from one
    forward pass. The score that does not apply is None."""
    loss, score, acts = net.evaluate(X, y)
    score = score if np.isfinite(score) else None
    regression = net.targets == "values"
    return {
        "loss": float(loss) if np.isfinite(loss) else None,
        "accuracy": None if regression else score,
        "r2": score if regression else None,
    }, acts


def layer_stats(
    net, opt, hidden: list[np.ndarray], hists: bool = True, grads: bool = True
) -> list[dict[str, Any]]:
    """Per layer: weights for the diagram, histograms, norms, update ratio, unit health.

    hidden: the activations of each layer on the evaluation set, [(N, h1), ..., (N, C)].
    hists: include the histograms (a heavy part, sent ~10 times a second; else null).
    grads: include dW and db for the diagram (else null: the page does not show them).
    """
    trace = net.trace
    layers = []
    n_layers = len(net.sizes) - 1
    operated = surgery(net)  # frozen and killed units, [[layer, unit], ...]
    for i in range(1, n_layers + 1):
        W, b = net.params[f"W{i}"], net.params[f"b{i}"]
        dW = trace.layers[i - 1].dW if trace is not None else None
        db = trace.layers[i - 1].db if trace is not None else None
        delta = getattr(opt, "last_update", {}).get(f"W{i}") if trace is not None else None
        w_norm = float(np.linalg.norm(W))
        is_output = i == n_layers
        act_name = net.loss_fn.output_activation if is_output else net.specs[i - 1].activation
        sat, dead = (None, None) if is_output else unit_health(act_name, _act_out(net, i, hidden))
        small = W.size <= MAX_DIAGRAM_WEIGHTS
        layers.append(
            {
                "name": str(i),
                "fan_in": int(W.shape[0]),
                "fan_out": int(W.shape[1]),
                "activation": act_name,
                "W": rounded(W[_SHOWN], 3) if small else None,
                "b": rounded(b[:DIAGRAM_NODES], 3) if small else None,
                "dW": rounded(dW[_SHOWN], 3) if grads and small and dW is not None else None,
                "db": rounded(db[:DIAGRAM_NODES], 3)
                if grads and small and db is not None
                else None,
                "grad_norm": _finite(np.linalg.norm(dW)) if dW is not None else None,
                "weight_norm": _finite(w_norm),
                "update_ratio": _finite(np.linalg.norm(delta) / w_norm)
                if delta is not None and w_norm > 0
                else None,
                "saturated": sat,
                # symmetry: how many different functions the layer's units compute
                "distinct": None if is_output else distinct_units(net.params.blocks[i - 1]),
                "frozen": [u for (l, u) in operated["frozen"] if l == i],
                "killed": [u for (l, u) in operated["killed"] if l == i],
                "dead": dead,
                **({} if is_output else layer_settings(net, i, trace)),
                "hist": {
                    "weights": histogram(W),
                    "activations": histogram(hidden[i - 1]),
                    "gradients": histogram(dW) if dW is not None else None,
                }
                if hists
                else None,
            }
        )
    return layers


def layer_settings(net, i: int, trace) -> dict[str, Any]:
    """Hidden layer i's own settings for the diagram: norm (its kind, gamma, beta, their
    gradients, batch norm's running mean and var, first 16 units), dropout, residual."""
    spec = net.specs[i - 1]
    out: dict[str, Any] = {"dropout": spec.dropout, "residual": spec.residual, "norm": None}
    if spec.norm == "none":
        return out
    name, shown = f"norm{i}", slice(DIAGRAM_NODES)
    norm = {
        "kind": spec.norm,
        "gamma": rounded(net.params[f"{name}.gamma"][shown], 4),
        "beta": rounded(net.params[f"{name}.beta"][shown], 4),
        "dgamma": rounded(net.grads[f"{name}.gamma"][shown], 4) if trace is not None else None,
        "dbeta": rounded(net.grads[f"{name}.beta"][shown], 4) if trace is not None else None,
        "running_mean": None,
        "running_var": None,
    }
    stats = net.running_stats()
    if spec.norm == "batch":
        norm["running_mean"] = rounded(stats[f"{name}.running_mean"][shown], 4)
        norm["running_var"] = rounded(stats[f"{name}.running_var"][shown], 4)
    out["norm"] = norm
    return out


def _act_out(net, i: int, hidden: list[np.ndarray]) -> np.ndarray:
    """Layer i's activations for unit health: its output, less its input when residual
    (the first layer's input, the data, is not at hand: its output stands in)."""
    if not net.specs[i - 1].residual or i == 1:
        return hidden[i - 1]
    return hidden[i - 1] - hidden[i - 2]


def mnist_parts(
    net,
    y_test: np.ndarray,
    probs_test: np.ndarray,
    sample_idx: np.ndarray,
    n_classes: int,
    image_shape: tuple[int, int],
) -> dict[str, Any]:
    """First-layer weights as images of image_shape (H, W), the test confusion matrix and
    sample predictions. probs_test: (N, C) the network's outputs on the test set, from the
    frame's evaluation (no second forward pass)."""
    W1 = net.params["W1"]
    images = []
    for k in range(min(MNIST_WEIGHT_IMAGES, W1.shape[1])):
        col = W1[:, k].reshape(image_shape)
        m = float(np.abs(col).max()) or 1.0
        images.append(grid(col, -m, m))  # symmetric: zero is the same colour in every image
    pred = probs_test.argmax(axis=1)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (y_test, pred), 1)
    probs = np.asarray(probs_test[sample_idx], dtype=np.float64)
    samples = [
        {"index": int(i), "label": int(y_test[i]), "pred": int(p.argmax()), "probs": rounded(p, 3)}
        for i, p in zip(sample_idx, probs, strict=True)
    ]
    return {"weights": images, "confusion": confusion.tolist(), "samples": samples}


def _finite(x: float) -> float | None:
    x = float(x)
    return float(f"{x:.4g}") if np.isfinite(x) else None
