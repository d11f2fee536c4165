"""The Dataset object: a stratified split, train-set standardization and the input transform.

Four kinds share one shape:
    "2d"     raw (x, y) points; network inputs are features of the standardized coordinates
    "1d"     raw x values; the network input is x standardized (function fitting)
    "table"  D numeric columns; network inputs are the columns standardized
    "image"  28x28 digits; network inputs are pixels in [0, 1], flattened to 784
Two tasks: "classification" (y: (N,) int64 classes 0..K-1, a stratified split) and
"regression" (y: (N,) float64 real targets, n_classes 0, a plain random split; targets are
not rescaled, so the page shows the values the user knows).
Standardization always uses the TRAIN set's mean and std, and `transform` applies the very
same map to new points (decision-boundary grid, a probed point).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from app.data.errors import DataError, check_float, check_int
from app.data.features import compute_features, feature_labels, validate_features

MAX_POINTS = 20_000  # also the CSV row limit; caps click-to-add growth
GRID_RANGE = (2, 400)


def stratified_split(
    y: np.ndarray, train_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """y: (N,) labels 0..K-1; returns shuffled (train_idx, test_idx).

    Each class keeps the train fraction (largest-remainder rounding so the total is
    round(fraction * N)); every class gets >= 1 train point and, if it has >= 2, >= 1 test
    point. Reproducible from `seed`.
    """
    rng = np.random.default_rng([seed, 1])  # a stream apart from the generators' draws
    counts = np.bincount(y)
    ideal = train_fraction * counts
    lower = np.minimum(counts, 1)
    upper = counts - (counts >= 2)
    alloc = np.clip(np.floor(ideal).astype(int), lower, upper)
    target = int(np.clip(round(train_fraction * len(y)), lower.sum(), upper.sum()))
    diff = target - int(alloc.sum())
    order = np.argsort(-(ideal - alloc), kind="stable") if diff > 0 else np.argsort(ideal - alloc)
    while diff != 0:
        for k in order:
            if diff > 0 and alloc[k] < upper[k]:
                alloc[k] += 1
                diff -= 1
            elif diff < 0 and alloc[k] > lower[k]:
                alloc[k] -= 1
                diff += 1
            if diff == 0:
                break
    train, test = [], []
    for k, n_k in enumerate(alloc):
        idx = rng.permutation(np.flatnonzero(y == k))
        train.append(idx[:n_k])
        test.append(idx[n_k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def random_split(n: int, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, test_idx) of n regression rows: round(fraction * n) train, >= 1 each side."""
    rng = np.random.default_rng([seed, 1])
    order = rng.permutation(n)
    k = int(np.clip(round(train_fraction * n), 1, max(n - 1, 1)))
    return order[:k], order[k:]


def split(y: np.ndarray, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified for class labels (integer y), random for real targets (float y)."""
    if y.dtype.kind == "f":
        return random_split(len(y), train_fraction, seed)
    return stratified_split(y, train_fraction, seed)


def _bounds(points: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Raw-coordinate box around points (M, 2) with a margin of 10 % of the larger span."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * float(np.max(hi - lo)) or 1.0
    return (
        (float(lo[0] - margin), float(hi[0] + margin)),
        (float(lo[1] - margin), float(hi[1] + margin)),
    )


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    return mean, np.where(std > 1e-12, std, 1.0)  # a constant column stays as is


@dataclass(frozen=True, eq=False)
class Dataset:
    """A split, ready-to-train dataset. Arrays are (N_tr, F) / (N_tr,) etc.; see module doc."""

    name: str
    kind: str
    n_classes: int
    class_names: list[str]
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    features: tuple[str, ...]
    input_names: list[str]
    raw_train: np.ndarray | None = None
    raw_test: np.ndarray | None = None
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
    image_shape: tuple[int, int] | None = None
    axis_names: tuple[str, str] | None = None  # 2-D: names of the raw axes ("x1", "x2" or CSV)
    mean: np.ndarray | None = None  # train statistics of the raw inputs (2d, table)
    std: np.ndarray | None = None
    task: str = "classification"  # or "regression": y holds real targets
    target_name: str = "y"  # regression: what the target is called (a CSV column's name)

    @property
    def is_regression(self) -> bool:
        return self.task == "regression"

    @property
    def target_range(self) -> tuple[float, float] | None:
        """Regression: (min, max) of all targets, widened to include 0 and never empty."""
        if not self.is_regression:
            return None
        y = np.concatenate([self.y_train, self.y_test])
        lo, hi = min(float(y.min()), 0.0), max(float(y.max()), 0.0)
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_test(self) -> int:
        return len(self.y_test)

    def transform(self, points: np.ndarray) -> np.ndarray:
        """Raw points -> network inputs (M, F), the same map as the training data.

        2d: points (M, 2) raw coordinates; table: (M, D) raw columns;
        image: (M, 784) or (M, 28, 28) pixels in [0, 1] (clipped).
        """
        p = np.asarray(points, dtype=np.float64)
        if self.kind == "image":
            if p.size == 0 or p.size % self.n_features:
                raise DataError("points", f"an image needs {self.n_features} pixels; got {p.shape}")
            p = p.reshape(-1, self.n_features)  # (784,), (28, 28), (M, 28, 28), (M, 784)
            return np.clip(p, 0.0, 1.0).astype(self.X_train.dtype)
        width = len(self.mean)
        if p.ndim == 1:
            p = p.reshape(1, -1)
        if p.ndim != 2 or p.shape[1] != width:
            raise DataError("points", f"points must have shape (M, {width}); got {p.shape}")
        z = (p - self.mean) / self.std
        return compute_features(z, self.features) if self.kind == "2d" else z

    def line(self, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        """1-D: xs (R,) evenly over bounds[0] and their network inputs (R, 1)."""
        if self.kind != "1d":
            raise DataError("dataset", f"line needs 1-D data; {self.name!r} is {self.kind!r}")
        r = check_int("resolution", resolution, *GRID_RANGE)
        xs = np.linspace(*self.bounds[0], r)
        return xs, self.transform(xs.reshape(-1, 1))

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Decision-boundary grid over `bounds`: xs (R,), ys (R,), inputs (R*R, F).

        Row-major with y as rows: inputs[i * R + j] is the point (xs[j], ys[i]).
        """
        self._require_2d("grid")
        r = check_int("resolution", resolution, *GRID_RANGE)
        xs = np.linspace(*self.bounds[0], r)
        ys = np.linspace(*self.bounds[1], r)
        gx, gy = np.meshgrid(xs, ys)  # gx[i, j] = xs[j], gy[i, j] = ys[i]
        return xs, ys, self.transform(np.column_stack([gx.ravel(), gy.ravel()]))

    def with_point(self, x: float, y: float, label: int) -> Dataset:
        """A new Dataset with raw point (x, y) of class `label` added to the train set.

        Standardization and bounds stay fixed, so the picture does not jump.
        """
        self._require_2d("with_point")
        if self.is_regression:
            raise DataError("point", "points can be added to classification data only")
        px, py = self._check_xy(x, y)
        k = check_int("label", label, 0, self.n_classes - 1)
        if self.n_train + self.n_test >= MAX_POINTS:
            raise DataError("point", f"a dataset holds at most {MAX_POINTS} points")
        raw = np.array([[px, py]])
        return dataclasses.replace(
            self,
            raw_train=np.vstack([self.raw_train, raw]),
            X_train=np.vstack([self.X_train, self.transform(raw)]),
            y_train=np.append(self.y_train, np.int64(k)),
        )

    def nearest_train_index(self, x: float, y: float, radius: float) -> int | None:
        """Index of the train point nearest raw (x, y) within `radius`, or None."""
        self._require_2d("nearest_train_index")
        r = check_float("radius", radius, 0.0, float("inf"))
        d = np.hypot(self.raw_train[:, 0] - float(x), self.raw_train[:, 1] - float(y))
        i = int(np.argmin(d))
        return i if d[i] <= r else None

    def without_point(self, x: float, y: float, radius: float) -> Dataset:
        """A new Dataset without the train point nearest raw (x, y) within `radius`.

        Raises DataError (field "point") if there is none, or if it is the last train point.
        """
        i = self.nearest_train_index(x, y, radius)
        if i is None:
            raise DataError("point", f"no training point within {radius:g} of ({x:g}, {y:g})")
        if self.n_train <= 1:
            raise DataError("point", "the train set must keep at least 1 point")
        keep = np.arange(self.n_train) != i
        return dataclasses.replace(
            self,
            raw_train=self.raw_train[keep],
            X_train=self.X_train[keep],
            y_train=self.y_train[keep],
        )

    def summary(self) -> dict:
        """JSON-ready description (no arrays) for the page's `dataset` message."""
        return {
            "name": self.name,
            "kind": self.kind,
            "n_classes": self.n_classes,
            "class_names": list(self.class_names),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "n_features": self.n_features,
            "features": list(self.features),
            "input_names": list(self.input_names),
            "bounds": [list(b) for b in self.bounds] if self.bounds else None,
            "image_shape": list(self.image_shape) if self.image_shape else None,
            "axis_names": list(self.axis_names) if self.axis_names else None,
            "task": self.task,
            "target_name": self.target_name,
            "target_range": list(self.target_range) if self.is_regression else None,
        }

    def _require_2d(self, what: str) -> None:
        if self.kind != "2d":
            raise DataError("dataset", f"{what} needs 2-D data; {self.name!r} is {self.kind!r}")

    def _check_xy(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.bounds
        return check_float("x", x, x0, x1), check_float("y", y, y0, y1)


def _task(y: np.ndarray) -> str:
    return "regression" if y.dtype.kind == "f" else "classification"


def make_2d(
    name, raw, y, n_classes, class_names, train_fraction, seed, features=None, axis_names=None
) -> Dataset:
    """raw: (N, 2) float coordinates, y: (N,) int64 in 0..K-1 (or float64 targets with
    n_classes 0) -> a "2d" Dataset."""
    feats = validate_features(features)
    tr, te = split(y, train_fraction, seed)
    mean, std = _stats(raw[tr])
    ds = Dataset(
        name=name, kind="2d", n_classes=n_classes, class_names=list(class_names),
        X_train=np.empty((0, len(feats))), y_train=y[tr], X_test=np.empty((0, len(feats))),
        y_test=y[te], features=feats, input_names=feature_labels(feats),
        raw_train=raw[tr], raw_test=raw[te], bounds=_bounds(raw),
        axis_names=tuple(axis_names or ("x1", "x2")), mean=mean, std=std, task=_task(y),
    )  # fmt: skip
    return dataclasses.replace(ds, X_train=ds.transform(raw[tr]), X_test=ds.transform(raw[te]))


def make_1d(name, x, y, train_fraction, seed, target_name="y") -> Dataset:
    """x: (N, 1) float inputs, y: (N,) float64 targets -> a "1d" regression Dataset.

    bounds: (x range, target range), each with a 10 % margin, for the curve plot.
    """
    tr, te = random_split(len(y), train_fraction, seed)
    mean, std = _stats(x[tr])
    (x0, x1), (y0, y1) = _bounds(np.column_stack([x[:, 0], y]))
    return Dataset(
        name=name, kind="1d", n_classes=0, class_names=[], X_train=(x[tr] - mean) / std,
        y_train=y[tr], X_test=(x[te] - mean) / std, y_test=y[te], features=("x",),
        input_names=["X"], raw_train=x[tr], raw_test=x[te], bounds=((x0, x1), (y0, y1)),
        axis_names=("x", target_name), mean=mean, std=std, task="regression",
        target_name=target_name,
    )  # fmt: skip


def make_table(
    name, X, y, n_classes, class_names, columns, train_fraction, seed, target_name="y"
) -> Dataset:
    """X: (N, D) float64 columns, y: (N,) int64 (or float64 targets) -> a "table" Dataset,
    columns standardized."""
    tr, te = split(y, train_fraction, seed)
    mean, std = _stats(X[tr])
    return Dataset(
        name=name, kind="table", n_classes=n_classes, class_names=list(class_names),
        X_train=(X[tr] - mean) / std, y_train=y[tr], X_test=(X[te] - mean) / std, y_test=y[te],
        features=tuple(columns), input_names=list(columns), mean=mean, std=std, task=_task(y),
        target_name=target_name,
    )  # fmt: skip


def make_image(name, X, y, n_classes, class_names, image_shape, train_fraction, seed) -> Dataset:
    """X: (N, H*W) pixels in [0, 1], y: (N,) int64 -> an "image" Dataset (no standardization)."""
    tr, te = stratified_split(y, train_fraction, seed)
    h, w = image_shape
    return Dataset(
        name=name, kind="image", n_classes=n_classes, class_names=list(class_names),
        X_train=X[tr], y_train=y[tr], X_test=X[te], y_test=y[te], features=("pixels",),
        input_names=[f"pixel ({r}, {c})" for r in range(h) for c in range(w)],
        image_shape=(h, w),
    )  # fmt: skip
