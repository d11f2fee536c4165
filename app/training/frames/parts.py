"""Frames: what a session looks like at one moment, as plain dicts of numbers.

A frame is built from the live network and the last step's trace; it knows nothing of
transport. Arrays that the page only colours (boundary, neuron maps, weight images) travel as
quantized grids; numbers the page prints are rounded to 4 significant digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn import unit_health
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


def layer_stats(net, opt, hidden: list[np.ndarray], hists: bool = True) -> list[dict[str, Any]]:
    """Per layer: weights for the diagram, histograms, norms, update ratio, unit health.

    hidden: the activations of each layer on the evaluation set, [(N, h1), ..., (N, C)].
    hists: include the histograms (a heavy part, sent ~10 times a second; else null).
    """
    trace = net.trace
    layers = []
    n_layers = len(net.sizes) - 1
    for i in range(1, n_layers + 1):
        W, b = net.params[f"W{i}"], net.params[f"b{i}"]
        dW = trace.layers[i - 1].dW if trace is not None else None
        db = trace.layers[i - 1].db if trace is not None else None
        delta = getattr(opt, "last_update", {}).get(f"W{i}") if trace is not None else None
        w_norm = float(np.linalg.norm(W))
        is_output = i == n_layers
        act_name = net.loss_fn.output_activation if is_output else net.activation
        sat, dead = (None, None) if is_output else unit_health(net.activation, hidden[i - 1])
        small = W.size <= MAX_DIAGRAM_WEIGHTS
        layers.append(
            {
                "name": str(i),
                "fan_in": int(W.shape[0]),
                "fan_out": int(W.shape[1]),
                "activation": act_name,
                "W": rounded(W[_SHOWN], 3) if small else None,
                "b": rounded(b[:DIAGRAM_NODES], 3) if small else None,
                "dW": rounded(dW[_SHOWN], 3) if small and dW is not None else None,
                "db": rounded(db[:DIAGRAM_NODES], 3) if small and db is not None else None,
                "grad_norm": _finite(np.linalg.norm(dW)) if dW is not None else None,
                "weight_norm": _finite(w_norm),
                "update_ratio": _finite(np.linalg.norm(delta) / w_norm)
                if delta is not None and w_norm > 0
                else None,
                "saturated": sat,
                "dead": dead,
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
