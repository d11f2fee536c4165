"""`predict`: what the network says about one probed point or one drawn digit."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.training.frames.encode import rounded
from app.training.live.config import ConfigError


def probe(net, data, dtype, point=None, image=None) -> dict[str, Any]:
    """point: [x, y] raw coordinates (2-D data) or image: 784 pixels in [0, 1] (MNIST).

    Returns {type: "prediction", probs, class, hidden} — or {value, hidden} for regression.
    """
    if point is not None:
        if data.kind != "2d":
            raise ConfigError("point", "a point can be probed only on 2-D data")
        x = data.transform(np.asarray([point], dtype=np.float64))
    elif image is not None:
        if data.kind != "image":
            raise ConfigError("image", "a drawing can be classified only on MNIST")
        x = np.asarray(image, dtype=np.float64).reshape(1, -1)
    else:
        raise ConfigError("point", "predict needs a point [x, y] or a 784-pixel image")
    acts = net.forward_layers(np.ascontiguousarray(x, dtype=dtype))
    hidden = [rounded(a[0], 4) for a in acts[:-1]]
    if data.is_regression:
        return {"type": "prediction", "value": round(float(acts[-1][0, 0]), 4), "hidden": hidden}
    probs = np.asarray(net.predict_proba(x.astype(dtype)))[0]
    if probs.shape[0] == 1:
        probs = np.array([1.0 - probs[0], probs[0]])
    return {
        "type": "prediction",
        "probs": rounded(probs, 4),
        "class": int(probs.argmax()),
        "hidden": hidden,
    }
