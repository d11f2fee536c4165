"""2-D regression: a real-valued target over the plane, as TensorFlow Playground's.

    generator(n_samples, noise, seed, classes) -> (X (N, 2) float64, y (N,) float64 in [-1, 1])

Points are uniform on [-6, 6]^2. Noise moves the point at which the target is read (uniform
offset of up to 6 * 0.5 * noise per axis: our noise 1 is TensorFlow Playground's 50 %), so a
noisy point carries its neighbour's value, exactly as there.
"""

from __future__ import annotations

import numpy as np

RADIUS = 6.0

# (centre x, centre y, sign) of TensorFlow Playground's six bumps
_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def _draw(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points X (N, 2) and where their target is read, X + noise offset (N, 2)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-RADIUS, RADIUS, size=(n_samples, 2))
    offset = rng.uniform(-RADIUS, RADIUS, size=(n_samples, 2)) * (0.5 * noise)
    return X, X + offset


def plane(n_samples: int, noise: float, seed: int, classes: int = 0):
    """A tilted plane: y = (x1 + x2) / 10, clipped to [-1, 1]."""
    X, read = _draw(n_samples, noise, seed)
    return X, np.clip((read[:, 0] + read[:, 1]) / 10.0, -1.0, 1.0)


def gauss_regression(n_samples: int, noise: float, seed: int, classes: int = 0):
    """Six bumps of alternating sign; each point takes the strongest bump's value
    sign * max(0, 1 - distance / 2)."""
    X, read = _draw(n_samples, noise, seed)
    d = np.hypot(read[:, None, 0] - _GAUSSIANS[:, 0], read[:, None, 1] - _GAUSSIANS[:, 1])
    values = _GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # (N, 6)
    strongest = np.abs(values).argmax(axis=1)
    return X, values[np.arange(len(X)), strongest]
