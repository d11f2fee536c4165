"""The bundled MNIST subset and the optional IDX-folder loader."""

import gzip

import numpy as np
import pytest

from app.data import DataError, build_dataset, idx_dataset, load_idx_folder, load_mnist


def test_load_mnist_shape_range_and_classes():
    X, y = load_mnist()
    assert X.shape == (5000, 784) and X.dtype == np.float32
    assert y.shape == (5000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    assert load_mnist() is load_mnist()  # cached
    with pytest.raises(ValueError):
        X[0, 0] = 1.0  # shared and read-only


def test_mnist_dataset_default_split_is_4000_1000_stratified_and_shuffled():
    ds = build_dataset("mnist")
    assert (ds.kind, ds.n_classes, ds.image_shape) == ("image", 10, (28, 28))
    assert ds.class_names == [str(d) for d in range(10)]
    assert ds.X_train.shape == (4000, 784) and ds.X_test.shape == (1000, 784)
    np.testing.assert_array_equal(np.bincount(ds.y_train), [400] * 10)
    np.testing.assert_array_equal(np.bincount(ds.y_test), [100] * 10)
    assert len(set(ds.y_train[:50].tolist())) > 5  # not sorted by class any more
    assert ds.bounds is None and ds.raw_train is None
    assert ds.features == ("pixels",) and len(ds.input_names) == 784 == ds.n_features


def test_mnist_ignores_2d_arguments_but_checks_the_split():
    ds = build_dataset("mnist", n_samples=20, noise=0.9, features=("x1",), train_fraction=0.5)
    assert ds.n_train == 2500 and ds.n_test == 2500
    with pytest.raises(DataError, match="train_fraction"):
        build_dataset("mnist", train_fraction=1.0)


def test_mnist_split_reproducible_from_seed():
    a, b, c = build_dataset("mnist", seed=4), build_dataset("mnist", seed=4), build_dataset("mnist")
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_mnist_transform_accepts_a_drawn_digit():
    ds = build_dataset("mnist")
    digit = np.zeros((28, 28))
    digit[10:18, 14] = 1.5
    x = ds.transform(digit[None])
    assert x.shape == (1, 784) and x.max() == 1.0


def _write_idx(path, array, compress=False):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    data = header + array.astype(np.uint8).tobytes()
    (gzip.open if compress else open)(path, "wb").write(data)


@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_folder_reads_the_four_standard_files(tmp_path, compress):
    rng = np.random.default_rng(0)
    ext = ".gz" if compress else ""
    tr_img = rng.integers(0, 256, size=(6, 28, 28))
    te_img = rng.integers(0, 256, size=(3, 28, 28))
    _write_idx(tmp_path / f"train-images-idx3-ubyte{ext}", tr_img, compress)
    _write_idx(tmp_path / f"train-labels-idx1-ubyte{ext}", np.arange(6), compress)
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{ext}", te_img, compress)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{ext}", np.array([9, 8, 7]), compress)
    X_tr, y_tr, X_te, y_te = load_idx_folder(tmp_path)
    assert X_tr.shape == (6, 784) and X_te.shape == (3, 784) and X_tr.dtype == np.float32
    np.testing.assert_allclose(X_tr[1], tr_img[1].ravel() / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_te, [9, 8, 7])
    ds = idx_dataset(tmp_path)
    assert (ds.kind, ds.n_train, ds.n_test, ds.image_shape) == ("image", 6, 3, (28, 28))


def test_load_idx_folder_refuses_missing_and_corrupt_files(tmp_path):
    with pytest.raises(DataError, match="not a folder"):
        load_idx_folder(tmp_path / "nope")
    with pytest.raises(DataError, match="has no train-images-idx3-ubyte"):
        load_idx_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 5)
    with pytest.raises(DataError, match="truncated|not a uint8 IDX") as err:
        load_idx_folder(tmp_path)
    assert err.value.field == "path"


def test_mnist_transform_accepts_shapes_a_page_may_send():
    ds = build_dataset("mnist")
    assert ds.transform(np.zeros((28, 28))).shape == (1, 784)
    assert ds.transform(np.zeros(784)).shape == (1, 784)
    assert ds.transform(np.zeros((3, 28, 28))).shape == (3, 784)
    with pytest.raises(DataError, match="784 pixels"):
        ds.transform(np.zeros((27, 28)))
