"""The one registry of datasets, read by build_dataset and by the training config, whose
catalogue the page draws its dataset controls from.

DATASETS is ordered for the picker. Bounds common to every dataset live here too; the
config's fields read them, so the catalogue (and the page's sliders) never restate them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.data import functions, generators, planes
from app.data.dataset import Dataset, make_1d, make_2d, make_image
from app.data.errors import DataError, check_float, check_int
from app.data.features import DEFAULT_FEATURES
from app.data.mnist import CLASS_NAMES as DIGITS
from app.data.mnist import IMAGE_SHAPE, load_mnist

N_SAMPLES_RANGE = (20, 5000)
NOISE_RANGE = (0.0, 1.0)
TRAIN_FRACTION_RANGE = (0.1, 0.9)
SEED_RANGE = (0, 2**32 - 1)

Generator = Callable[[int, float, int, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """One entry of the picker. `generator` is None for non-generated data (mnist).

    kind: "2d" (points in the plane), "1d" (y = f(x)) or "image"; task: "classification"
    (integer labels) or "regression" (real targets; classes are ignored).
    """

    name: str
    label: str
    kind: str
    description: str
    generator: Generator | None = None
    default_n_samples: int = 500
    default_noise: float = 0.1
    default_train_fraction: float = 0.5
    classes_range: tuple[int, int] | None = None  # None: fixed class count
    default_classes: int = 2
    task: str = "classification"

    @property
    def uses_classes(self) -> bool:
        return self.classes_range is not None

    def check_classes(self, classes: int | None) -> int:
        """The class count to use; `classes` is ignored for fixed-class datasets."""
        if classes is None or self.classes_range is None:
            return self.default_classes
        return check_int("classes", classes, *self.classes_range)

    def generate(self, n_samples: int, noise: float, seed: int, classes: int | None = None):
        """Validated draw: X (N, 2) or (N, 1) float64 raw coordinates, y (N,) int64 in
        0..classes-1 (classification) or float64 targets (regression)."""
        if self.generator is None:
            raise DataError("dataset", f"{self.name!r} is not a generated 2-D dataset")
        n = check_int("n_samples", n_samples, *N_SAMPLES_RANGE)
        nz = check_float("noise", noise, *NOISE_RANGE)
        s = check_int("seed", seed, *SEED_RANGE)
        return self.generator(n, nz, s, self.check_classes(classes))

    def preview(self, n: int = 120, seed: int = 0) -> list[tuple[float, float, float]] | None:
        """n points (x, y, label) at default settings, scaled into [-1, 1] for thumbnails.

        label: the class (int) or, for regression, the target scaled into [-1, 1]; 1-D data
        is drawn as the points (x, target), label 0.
        """
        if self.generator is None:
            return None
        n = max(n, N_SAMPLES_RANGE[0])
        X, y = self.generate(n, self.default_noise, seed, self.default_classes)
        if self.kind == "1d":
            X, y = np.column_stack([X[:, 0], y]), np.zeros(len(y), dtype=np.int64)
        elif self.task == "regression":
            y = np.round(y / (np.abs(y).max() or 1.0), 3)
        centre = (X.max(axis=0) + X.min(axis=0)) / 2
        X = (X - centre) / (np.abs(X - centre).max() or 1.0)
        order = np.random.default_rng(seed).permutation(len(y))  # mix classes for drawing order
        return [
            (round(float(a), 3), round(float(b), 3), k.item())
            for (a, b), k in zip(X[order], y[order], strict=True)
        ]


_SPECS = [
    DatasetSpec("xor", "XOR", "2d", "Four quadrants: class 1 where x1 and x2 share a sign.",
                generators.xor, default_noise=0.1),
    DatasetSpec("gauss", "Two Gaussians", "2d", "Two round clusters, one per class.",
                generators.gauss, default_noise=0.2),
    DatasetSpec("circles", "Circles", "2d", "A ring around a smaller ring.",
                generators.circles, default_noise=0.1),
    DatasetSpec("moons", "Moons", "2d", "Two interleaving half circles.",
                generators.moons, default_noise=0.2),
    DatasetSpec("blobs", "Blobs", "2d", "2-8 Gaussian clusters, one per class.",
                generators.blobs, default_noise=0.2, classes_range=(2, 8), default_classes=3),
    DatasetSpec("spiral", "Spiral", "2d", "2-5 interleaved spiral arms, one per class.",
                generators.spiral, default_noise=0.1, classes_range=(2, 5)),
    *[DatasetSpec(f"side_{f}", f"Side of {functions.FUNCTIONS[f][0]}", "2d",
                  f"Class 1 above the curve y = {functions.FUNCTIONS[f][0]}, class 0 below.",
                  functions.side(f), default_noise=0.05) for f in ("sine", "cubic", "abs")],
    DatasetSpec("plane", "Plane (regression)", "2d",
                "A real value rising across the plane: y = (x1 + x2) / 10.", planes.plane,
                default_noise=0.0, task="regression", default_classes=0),
    DatasetSpec("gauss_regression", "Six bumps (regression)", "2d",
                "Six bumps of alternating sign; the target is the nearest bump's height.",
                planes.gauss_regression, default_noise=0.0, task="regression", default_classes=0),
    *[DatasetSpec(f, f"y = {functions.FUNCTIONS[f][0]}", "1d",
                  f"Fit y = {functions.FUNCTIONS[f][0]} + noise from points on x in [-3, 3].",
                  functions.fit(f), default_n_samples=200, default_noise=0.1,
                  default_train_fraction=0.7, task="regression", default_classes=0)
      for f in functions.FUNCTIONS],
    DatasetSpec("mnist", "MNIST (5k)", "image",
                "5,000 handwritten 28x28 digits, 500 per class (4,000 train / 1,000 test).",
                None, default_n_samples=5000, default_noise=0.0, default_train_fraction=0.8,
                default_classes=10),
]  # fmt: skip
DATASETS: dict[str, DatasetSpec] = {s.name: s for s in _SPECS}


def build_dataset(
    name: str,
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    train_fraction: float | None = None,
    features=DEFAULT_FEATURES,
    classes: int | None = None,
) -> Dataset:
    """Generate or load a dataset, split it and build the network inputs.

    None picks the dataset's default (n_samples, noise, train_fraction, classes). For
    "mnist", n_samples, noise, features and classes are ignored (default split 4,000/1,000).
    Raises DataError naming the field and its allowed range.
    """
    spec = DATASETS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise DataError("dataset", f"unknown dataset {name!r}; allowed: {', '.join(DATASETS)}")
    if train_fraction is None:
        train_fraction = spec.default_train_fraction
    frac = check_float("train_fraction", train_fraction, *TRAIN_FRACTION_RANGE)
    seed = check_int("seed", seed, *SEED_RANGE)
    if spec.kind == "image":
        X, y = load_mnist()
        return make_image(spec.name, X, y, 10, DIGITS, IMAGE_SHAPE, frac, seed)
    k = 0 if spec.task == "regression" else spec.check_classes(classes)
    X, y = spec.generate(
        spec.default_n_samples if n_samples is None else n_samples,
        spec.default_noise if noise is None else noise,
        seed,
        k,
    )
    if spec.kind == "1d":
        return make_1d(spec.name, X, y, frac, seed)
    return make_2d(spec.name, X, y, k, [str(c) for c in range(k)], frac, seed, features)
