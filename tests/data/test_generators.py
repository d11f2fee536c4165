"""Every 2-D class generator: shape, classes, determinism, noise, refused bounds.

Regression and 1-D generators are tested in test_regression.py."""

import numpy as np
import pytest

from app.data import DATASETS, DataError

GENERATED = [n for n, s in DATASETS.items() if s.kind == "2d" and s.task == "classification"]


def test_registry_order_and_kinds():
    assert list(DATASETS) == [
        *("xor", "gauss", "circles", "moons", "blobs", "spiral"),
        *("side_sine", "side_cubic", "side_abs", "plane", "gauss_regression"),
        *("sine", "abs", "step", "cubic", "mnist"),
    ]
    assert DATASETS["mnist"].kind == "image"
    assert DATASETS["spiral"].label == "Spiral"
    assert DATASETS["blobs"].classes_range == (2, 8)
    assert DATASETS["spiral"].classes_range == (2, 5)
    assert not DATASETS["moons"].uses_classes and DATASETS["moons"].classes_range is None


@pytest.mark.parametrize("name", GENERATED)
def test_generator_shape_dtype_and_balanced_classes(name):
    spec = DATASETS[name]
    X, y = spec.generate(501, spec.default_noise, seed=3)
    assert X.shape == (501, 2) and X.dtype == np.float64
    assert y.shape == (501,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == spec.default_classes
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()
    assert np.abs(X).max() < 12  # the TF-Playground-like raw box


@pytest.mark.parametrize(("name", "k"), [("blobs", 2), ("blobs", 8), ("spiral", 2), ("spiral", 5)])
def test_class_count_follows_classes(name, k):
    _, y = DATASETS[name].generate(200, 0.1, seed=0, classes=k)
    assert sorted(set(y.tolist())) == list(range(k))


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_data_other_seed_other_data(name):
    spec = DATASETS[name]
    X1, y1 = spec.generate(100, 0.3, seed=7)
    X2, y2 = spec.generate(100, 0.3, seed=7)
    X3, _ = spec.generate(100, 0.3, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", GENERATED)
def test_noise_moves_the_points(name):
    spec = DATASETS[name]
    X0, y0 = spec.generate(300, 0.0, seed=1)
    X1, y1 = spec.generate(300, 0.8, seed=1)
    np.testing.assert_array_equal(y0, y1)
    assert np.abs(X1 - X0).mean() > 0.3


def test_clean_xor_is_quadrants():
    X, y = DATASETS["xor"].generate(400, 0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    assert np.abs(X).min() >= 0.3


def test_clean_circles_are_two_radii():
    X, y = DATASETS["circles"].generate(200, 0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 5.0)
    np.testing.assert_allclose(r[y == 1], 2.5)


def test_blob_clusters_separate_at_low_noise():
    X, y = DATASETS["blobs"].generate(800, 0.0, seed=2, classes=8)
    centres = np.array([X[y == k].mean(axis=0) for k in range(8)])
    nearest = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == y).mean() > 0.99


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"n_samples": 19}, "n_samples", "between 20 and 5000; got 19"),
        ({"n_samples": 5001}, "n_samples", "between 20 and 5000; got 5001"),
        ({"n_samples": 50.5}, "n_samples", "integer between 20 and 5000"),
        ({"noise": -0.1}, "noise", "between 0 and 1; got -0.1"),
        ({"noise": 1.5}, "noise", "between 0 and 1; got 1.5"),
        ({"noise": float("nan")}, "noise", "between 0 and 1"),
        ({"seed": -1}, "seed", "seed must be between 0"),
    ],
)
def test_generator_refuses_out_of_range(name, kwargs, field, text):
    args = {"n_samples": 100, "noise": 0.1, "seed": 0, **kwargs}
    with pytest.raises(DataError) as err:
        DATASETS[name].generate(**args)
    assert err.value.field == field
    assert text in err.value.message
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("name", "bad", "rng"),
    [
        ("blobs", 1, "2 and 8"),
        ("blobs", 9, "2 and 8"),
        ("spiral", 1, "2 and 5"),
        ("spiral", 6, "2 and 5"),
    ],
)
def test_class_count_out_of_range_refused(name, bad, rng):
    with pytest.raises(DataError, match=f"classes must be between {rng}; got {bad}") as err:
        DATASETS[name].generate(100, 0.1, 0, classes=bad)
    assert err.value.field == "classes"


def test_mnist_spec_does_not_generate_and_has_no_preview():
    with pytest.raises(DataError):
        DATASETS["mnist"].generate(100, 0.1, 0)
    assert DATASETS["mnist"].preview() is None


@pytest.mark.parametrize("name", GENERATED)
def test_preview_is_small_normalized_and_deterministic(name):
    pts = DATASETS[name].preview(n=120, seed=0)
    assert len(pts) == 120
    arr = np.array([(x, y) for x, y, _ in pts])
    assert np.abs(arr).max() <= 1.0 + 1e-9
    assert {k for _, _, k in pts} == set(range(DATASETS[name].default_classes))
    assert pts == DATASETS[name].preview(n=120, seed=0)


def test_negative_zero_noise_is_zero_noise():
    """-0.0 is within [0, 1]; NumPy's normal() refuses it as a scale, so it must not get there."""
    from app.data import build_dataset

    a = build_dataset("xor", n_samples=40, noise=-0.0, seed=1)
    b = build_dataset("xor", n_samples=40, noise=0.0, seed=1)
    assert (a.X_train == b.X_train).all()
