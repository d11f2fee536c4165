"""2-D dataset generators, all with one signature.

    generator(n_samples, noise, seed, classes) -> (X (N, 2) float64, y (N,) int64)

Arguments arrive already validated (see registry.DatasetSpec.generate). Every pattern is drawn
in raw coordinates of about [-6, 6] on each axis, like TensorFlow Playground, so axes and
click-to-add points look alike across datasets. Classes are balanced exactly (sizes differ by
at most one) so a stratified split is always possible.

`noise` is on one scale for all datasets: 0 = clean, 1 = very noisy (about TensorFlow
Playground's 50 %). Each generator maps it to its own units:

    xor      Gaussian jitter, sigma = 2.0 * noise        (quadrants of [-5, 5]^2)
    gauss    cluster std = 0.5 + 2.0 * noise             (centres (2, 2) and (-2, -2))
    blobs    cluster std = 0.3 + 2.0 * noise             (centres on a circle of radius 4)
    moons    sklearn noise = 0.5 * noise, x3 scale       (raw sigma = 1.5 * noise)
    circles  sklearn noise = 0.3 * noise, x5 scale       (raw sigma = 1.5 * noise; radii 5, 2.5)
    spiral   Gaussian jitter, sigma = 0.75 * noise       (arms out to radius 5)
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons


def class_sizes(n_samples: int, classes: int) -> list[int]:
    """Split n_samples into `classes` sizes that differ by at most one."""
    base, extra = divmod(n_samples, classes)
    return [base + (1 if k < extra else 0) for k in range(classes)]


def _labels(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def xor(n_samples: int, noise: float, seed: int, classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x1 and x2 share a sign, class 0 elsewhere (TF Playground's XOR)."""
    rng = np.random.default_rng(seed)
    sizes = class_sizes(n_samples, 2)
    y = _labels(sizes)
    # Keep a 0.3 gap from the axes (as TF Playground does) so clean data is separable.
    mag = rng.uniform(0.3, 5.0, size=(n_samples, 2))
    sign1 = rng.choice([-1.0, 1.0], size=n_samples)
    sign2 = np.where(y == 1, sign1, -sign1)
    X = mag * np.column_stack([sign1, sign2])
    X += rng.normal(0.0, 2.0 * noise, size=X.shape)
    return X, y


def _blobs_at(centres: np.ndarray, std: float, n_samples: int, seed: int):
    sizes = class_sizes(n_samples, len(centres))
    X, y = make_blobs(
        n_samples=sizes, centers=centres, cluster_std=std, shuffle=False, random_state=seed
    )
    return X.astype(np.float64), y.astype(np.int64)


def gauss(n_samples: int, noise: float, seed: int, classes: int = 2):
    """Two round Gaussian clusters at (2, 2) and (-2, -2)."""
    centres = np.array([[-2.0, -2.0], [2.0, 2.0]])
    return _blobs_at(centres, 0.5 + 2.0 * noise, n_samples, seed)


def blobs(n_samples: int, noise: float, seed: int, classes: int = 3):
    """`classes` Gaussian clusters evenly spaced on a circle of radius 4 (random rotation).

    Even spacing (not sklearn's random centres) keeps every class reachable at low noise.
    """
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0.0, 2 * np.pi) + 2 * np.pi * np.arange(classes) / classes
    centres = 4.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    return _blobs_at(centres, 0.3 + 2.0 * noise, n_samples, seed)


def moons(n_samples: int, noise: float, seed: int, classes: int = 2):
    """Two interleaving half circles (sklearn make_moons), centred and scaled x3."""
    X, y = make_moons(n_samples=n_samples, noise=0.5 * noise, shuffle=False, random_state=seed)
    X = (X - np.array([0.5, 0.25])) * 3.0
    return X.astype(np.float64), y.astype(np.int64)


def circles(n_samples: int, noise: float, seed: int, classes: int = 2):
    """A ring of radius 5 (class 0) around a ring of radius 2.5 (class 1), sklearn make_circles."""
    X, y = make_circles(
        n_samples=n_samples, noise=0.3 * noise, factor=0.5, shuffle=False, random_state=seed
    )
    return (X * 5.0).astype(np.float64), y.astype(np.int64)


def spiral(n_samples: int, noise: float, seed: int, classes: int = 2):
    """`classes` interleaved spiral arms from the centre out to radius 5.

    More arms wind fewer turns (1.75 turns for 2 arms, ~1.1 for 5) so the gap between
    neighbouring arms stays learnable.
    """
    rng = np.random.default_rng(seed)
    sizes = class_sizes(n_samples, classes)
    turns = 1.75 * np.sqrt(2.0 / classes)
    parts = []
    for k, size in enumerate(sizes):
        r = np.linspace(0.05, 1.0, size)
        t = 2 * np.pi * (turns * r + k / classes)
        parts.append(5.0 * np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.concatenate(parts)
    X += rng.normal(0.0, 0.75 * noise, size=X.shape)
    return X, _labels(sizes)
