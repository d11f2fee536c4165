"""The `dataset` message: the points the page plots, sent once per data change.

2-D classes: points with labels; 2-D regression: points with their target `value`; 1-D: the
points (x, target) of the function plot; images: a few test digits.
"""

from __future__ import annotations

from typing import Any

from app.training.frames.encode import grid, rounded


def dataset_message(name: str, d, sample_idx) -> dict[str, Any]:
    """name: the config's dataset name; d: the Dataset; sample_idx: MNIST test samples shown."""
    msg: dict[str, Any] = {
        "type": "dataset",
        "name": name,
        "kind": d.kind,
        "n_classes": d.n_classes,
        "class_names": list(d.class_names),
        "input_names": list(d.input_names),
        "n_train": len(d.y_train),
        "n_test": len(d.y_test),
        "task": d.task,
        "target_name": d.target_name,
        "target_range": list(d.target_range) if d.is_regression else None,
        "bounds": None,
        "train": None,
        "test": None,
        "samples": None,
    }
    if d.kind == "2d":
        (x0, x1), (y0, y1) = d.bounds
        msg["bounds"] = {"x": [x0, x1], "y": [y0, y1]}
        for split, raw, y in (
            ("train", d.raw_train, d.y_train),
            ("test", d.raw_test, d.y_test),
        ):
            msg[split] = {
                "x": rounded(raw[:, 0], 4),
                "y": rounded(raw[:, 1], 4),
                "label": None if d.is_regression else y.tolist(),
                "value": rounded(y, 4) if d.is_regression else None,
            }
    if d.kind == "1d":  # the points (x, target) of the function plot
        (x0, x1), (y0, y1) = d.bounds
        msg["bounds"] = {"x": [x0, x1], "y": [y0, y1]}
        for split, raw, y in (
            ("train", d.raw_train, d.y_train),
            ("test", d.raw_test, d.y_test),
        ):
            msg[split] = {
                "x": rounded(raw[:, 0], 4),
                "y": rounded(y, 4),
                "label": None,
                "value": rounded(y, 4),
            }
    if d.kind == "image":
        msg["samples"] = [
            {
                "index": int(i),
                "label": int(d.y_test[i]),
                "image": grid(d.X_test[i].reshape(d.image_shape), 0.0, 1.0),
            }
            for i in sample_idx
        ]
    return msg
