"""build_dataset, the stratified split, standardization, the grid and click-to-add points."""

import numpy as np
import pytest

from app.data import DATASETS, DataError, build_dataset, stratified_split


def test_build_default_xor_matches_the_documented_api():
    ds = build_dataset("xor", n_samples=500, noise=0.1, seed=0, train_fraction=0.5)
    assert (ds.name, ds.kind, ds.n_classes, ds.class_names) == ("xor", "2d", 2, ["0", "1"])
    assert ds.X_train.shape == (250, 2) and ds.X_test.shape == (250, 2)
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    assert ds.raw_train.shape == (250, 2) and ds.raw_test.shape == (250, 2)
    assert ds.features == ("x1", "x2") and ds.input_names == ["X₁", "X₂"]
    assert ds.n_features == 2 and ds.image_shape is None


def test_split_is_stratified_and_respects_the_fraction():
    y = np.repeat(np.arange(4), [100, 60, 30, 10])
    tr, te = stratified_split(y, 0.3, seed=5)
    assert len(tr) == 60 and len(te) == 140
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(200))
    np.testing.assert_array_equal(np.bincount(y[tr]), [30, 18, 9, 3])


def test_split_is_reproducible_and_seed_dependent():
    y = np.repeat(np.arange(3), 50)
    a = stratified_split(y, 0.5, seed=1)
    b = stratified_split(y, 0.5, seed=1)
    c = stratified_split(y, 0.5, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_split_keeps_every_class_on_both_sides_at_extreme_fractions():
    y = np.repeat(np.arange(8), 3)  # 24 points, 8 classes
    for frac in (0.1, 0.9):
        tr, te = stratified_split(y, frac, seed=0)
        assert set(y[tr]) == set(range(8)) and set(y[te]) == set(range(8))


@pytest.mark.parametrize("frac", [0.1, 0.25, 0.5, 0.8, 0.9])
def test_build_respects_train_fraction(frac):
    ds = build_dataset("blobs", n_samples=400, seed=0, train_fraction=frac, classes=4)
    assert ds.n_train == round(400 * frac) and ds.n_train + ds.n_test == 400
    per_class = np.bincount(ds.y_train, minlength=4)
    assert np.abs(per_class - frac * 100).max() <= 1


def test_build_is_deterministic_from_seed():
    a = build_dataset("spiral", seed=11, classes=3)
    b = build_dataset("spiral", seed=11, classes=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_inputs_are_standardized_with_train_statistics():
    ds = build_dataset("moons", n_samples=600, seed=0)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1, atol=1e-12)
    mean, std = ds.raw_train.mean(axis=0), ds.raw_train.std(axis=0)
    np.testing.assert_allclose(ds.X_test, (ds.raw_test - mean) / std)
    np.testing.assert_allclose(ds.transform(ds.raw_test), ds.X_test)


def test_bounds_contain_all_raw_points_with_a_margin():
    ds = build_dataset("circles", seed=0)
    (x0, x1), (y0, y1) = ds.bounds
    pts = np.vstack([ds.raw_train, ds.raw_test])
    assert x0 < pts[:, 0].min() and pts[:, 0].max() < x1
    assert y0 < pts[:, 1].min() and pts[:, 1].max() < y1
    assert x1 - x0 < 1.5 * np.ptp(pts[:, 0])


def test_grid_is_row_major_with_y_as_rows():
    ds = build_dataset("xor", seed=0, features=("x1", "x2", "x1x2"))
    xs, ys, inputs = ds.grid(7)
    assert xs.shape == (7,) and ys.shape == (7,) and inputs.shape == (49, 3)
    assert (xs[0], xs[-1]) == ds.bounds[0] and (ys[0], ys[-1]) == ds.bounds[1]
    i, j = 2, 5
    np.testing.assert_allclose(inputs[i * 7 + j], ds.transform(np.array([[xs[j], ys[i]]]))[0])
    with pytest.raises(DataError, match="resolution must be between 2 and 400"):
        ds.grid(1)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"name": "swirl"}, "dataset", "allowed: xor, gauss, circles, moons, blobs, spiral"),
        ({"n_samples": 3}, "n_samples", "n_samples must be between 20 and 5000; got 3"),
        ({"noise": 2}, "noise", "noise must be between 0 and 1; got 2"),
        ({"train_fraction": 0.95}, "train_fraction", "between 0.1 and 0.9; got 0.95"),
        ({"train_fraction": 0.0}, "train_fraction", "between 0.1 and 0.9; got 0"),
        ({"name": "blobs", "classes": 9}, "classes", "between 2 and 8; got 9"),
        ({"name": "spiral", "classes": 6}, "classes", "between 2 and 5; got 6"),
        ({"features": ("x1", "x3")}, "features", "unknown feature 'x3'"),
        ({"features": ()}, "features", "at least one"),
        ({"seed": "abc"}, "seed", "seed must be an integer"),
    ],
)
def test_build_dataset_refuses_bad_arguments(kwargs, field, text):
    args = {"name": "xor", **kwargs}
    with pytest.raises(DataError) as err:
        build_dataset(**args)
    assert err.value.field == field
    assert text in err.value.message


def test_classes_ignored_where_the_dataset_fixes_them():
    assert build_dataset("moons", classes=5).n_classes == 2


def test_defaults_come_from_the_spec():
    ds = build_dataset("blobs")
    spec = DATASETS["blobs"]
    assert ds.n_classes == spec.default_classes
    assert ds.n_train + ds.n_test == spec.default_n_samples


def test_with_point_adds_to_train_set_without_moving_the_picture():
    ds = build_dataset("xor", seed=0)
    new = ds.with_point(1.0, -2.0, 1)
    assert new.n_train == ds.n_train + 1 and new.n_test == ds.n_test
    np.testing.assert_array_equal(new.raw_train[-1], [1.0, -2.0])
    assert new.y_train[-1] == 1
    np.testing.assert_allclose(new.X_train[-1], ds.transform(np.array([[1.0, -2.0]]))[0])
    np.testing.assert_array_equal(new.mean, ds.mean)
    assert new.bounds == ds.bounds
    assert ds.n_train == 250  # the original is untouched


@pytest.mark.parametrize(
    ("x", "y", "label", "field"),
    [(0.0, 0.0, 2, "label"), (99.0, 0.0, 0, "x"), (0.0, -99.0, 1, "y")],
)
def test_with_point_refuses_bad_points(x, y, label, field):
    ds = build_dataset("xor", seed=0)
    with pytest.raises(DataError) as err:
        ds.with_point(x, y, label)
    assert err.value.field == field


def test_without_point_removes_the_nearest_train_point_within_radius():
    ds = build_dataset("gauss", seed=0)
    target = ds.raw_train[17]
    new = ds.without_point(target[0] + 0.01, target[1], radius=0.5)
    assert new.n_train == ds.n_train - 1
    assert not (new.raw_train == target).all(axis=1).any()
    assert ds.nearest_train_index(*target, radius=0.1) == 17


def test_without_point_refuses_when_nothing_is_near():
    ds = build_dataset("circles", seed=0)  # nothing near the gap between the rings' centre
    with pytest.raises(DataError, match="no training point within") as err:
        ds.without_point(0.0, 0.0, radius=0.1)
    assert err.value.field == "point"
    assert ds.nearest_train_index(0.0, 0.0, 0.1) is None


def test_point_edits_refused_on_image_data():
    ds = build_dataset("mnist")
    with pytest.raises(DataError, match="needs 2-D data"):
        ds.with_point(0.0, 0.0, 1)
    with pytest.raises(DataError, match="needs 2-D data"):
        ds.grid(10)


def test_summary_is_json_ready():
    import json

    ds = build_dataset("spiral", classes=3)
    s = json.loads(json.dumps(ds.summary()))
    assert s["kind"] == "2d" and s["n_classes"] == 3 and len(s["bounds"]) == 2
