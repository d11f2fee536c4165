"""The bundled 5,000-digit MNIST subset (500 per class), and optional full MNIST from IDX files.

mnist_5k.npz: `images` uint8 (5000, 28, 28), `labels` uint8 (5000,), rows sorted by class
(the stratified split shuffles them).
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources
from pathlib import Path

import numpy as np

from app.data.dataset import Dataset
from app.data.errors import DataError

MNIST_FILE = "mnist_5k.npz"
IMAGE_SHAPE = (28, 28)
CLASS_NAMES = [str(d) for d in range(10)]


@functools.lru_cache(maxsize=1)
def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Returns X (5000, 784) float32 in [0, 1] and y (5000,) int64. Cached and read-only."""
    with resources.files(__package__).joinpath(MNIST_FILE).open("rb") as f, np.load(f) as npz:
        images, labels = npz["images"], npz["labels"]
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    y = labels.astype(np.int64)
    X.setflags(write=False)  # shared by every session: nobody may edit it in place
    y.setflags(write=False)
    return X, y


def _read_idx(path: Path, expected_ndim: int) -> np.ndarray:
    """Read one IDX file (optionally .gz): magic 0x0000 08 <ndim>, big-endian dims, uint8 data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise DataError("path", f"cannot read {path.name}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] != expected_ndim:
        raise DataError("path", f"{path.name} is not a uint8 IDX file with {expected_ndim} dims")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(expected_ndim))
    start = 4 + 4 * expected_ndim
    if len(raw) - start != int(np.prod(dims)):
        raise DataError("path", f"{path.name} is truncated: header says {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=start).reshape(dims)


def _find(folder: Path, stem: str) -> Path:
    for name in (
        stem,
        stem + ".gz",
        stem.replace("-idx", ".idx"),
        stem.replace("-idx", ".idx") + ".gz",
    ):
        if (folder / name).is_file():
            return folder / name
    raise DataError("path", f"{folder} has no {stem} (or {stem}.gz)")


def load_idx_folder(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Full MNIST from the four standard IDX files in `path` (plain or .gz).

    Returns X_train (N, 784) float32 in [0, 1], y_train (N,) int64, X_test, y_test.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError("path", f"{folder} is not a folder")
    parts = []
    for prefix in ("train", "t10k"):
        images = _read_idx(_find(folder, f"{prefix}-images-idx3-ubyte"), 3)
        labels = _read_idx(_find(folder, f"{prefix}-labels-idx1-ubyte"), 1)
        if len(images) != len(labels) or images.shape[1:] != IMAGE_SHAPE:
            raise DataError("path", f"{prefix} images {images.shape} do not match labels")
        if labels.max(initial=0) > 9:
            raise DataError("path", f"{prefix} labels must be digits 0-9")
        parts += [
            images.reshape(len(images), -1).astype(np.float32) / 255.0,
            labels.astype(np.int64),
        ]
    return tuple(parts)


def idx_dataset(path: str | Path, name: str = "mnist_full") -> Dataset:
    """A ready "image" Dataset from an IDX folder, keeping the files' own train/test split."""
    X_tr, y_tr, X_te, y_te = load_idx_folder(path)
    h, w = IMAGE_SHAPE
    return Dataset(
        name=name, kind="image", n_classes=10, class_names=list(CLASS_NAMES),
        X_train=X_tr, y_train=y_tr, X_test=X_te, y_test=y_te, features=("pixels",),
        input_names=[f"pixel ({r}, {c})" for r in range(h) for c in range(w)],
        image_shape=IMAGE_SHAPE,
    )  # fmt: skip
