"""Regression and function datasets: 1-D fitting, 2-D planes, side-of-curve classes, CSVs."""

import numpy as np
import pytest

from app.data import DATASETS, DataError, build_dataset, parse_csv
from app.data.dataset import random_split
from app.data.functions import FUNCTIONS, curve

FITS = [n for n, s in DATASETS.items() if s.kind == "1d"]
PLANES = [n for n, s in DATASETS.items() if s.kind == "2d" and s.task == "regression"]
SIDES = [n for n in DATASETS if n.startswith("side_")]


def test_the_issue_datasets_are_in_the_registry():
    assert FITS == ["sine", "abs", "step", "cubic"]
    assert PLANES == ["plane", "gauss_regression"]
    assert SIDES == ["side_sine", "side_cubic", "side_abs"]
    assert all(DATASETS[n].task == "regression" for n in FITS + PLANES)
    assert all(DATASETS[n].task == "classification" for n in SIDES)


@pytest.mark.parametrize("name", FITS)
def test_clean_fit_data_lies_on_the_function(name):
    X, y = DATASETS[name].generate(300, 0.0, seed=4)
    assert X.shape == (300, 1) and y.shape == (300,) and y.dtype == np.float64
    assert X.min() >= -3 and X.max() <= 3
    np.testing.assert_allclose(y, FUNCTIONS[name][1](X[:, 0]))


@pytest.mark.parametrize("name", FITS)
def test_fit_noise_scatters_targets_not_inputs(name):
    X0, y0 = DATASETS[name].generate(2000, 0.0, seed=1)
    X1, y1 = DATASETS[name].generate(2000, 0.6, seed=1)
    np.testing.assert_array_equal(X0, X1)
    assert abs(np.std(y1 - y0) - 0.5 * 0.6) < 0.03  # sigma = 0.5 * noise


@pytest.mark.parametrize("name", FITS + PLANES + SIDES)
def test_same_seed_same_data(name):
    a = DATASETS[name].generate(100, 0.3, seed=7)
    b = DATASETS[name].generate(100, 0.3, seed=7)
    c = DATASETS[name].generate(100, 0.3, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


@pytest.mark.parametrize("name", FITS + PLANES + SIDES)
def test_bounds_are_refused_with_field_and_range(name):
    with pytest.raises(DataError, match="between 20 and 5000; got 19") as err:
        DATASETS[name].generate(19, 0.1, 0)
    assert err.value.field == "n_samples"
    with pytest.raises(DataError, match="between 0 and 1; got 1.5"):
        DATASETS[name].generate(100, 1.5, 0)


def test_clean_plane_is_the_tilted_plane():
    X, y = DATASETS["plane"].generate(500, 0.0, seed=0)
    assert np.abs(X).max() <= 6
    np.testing.assert_allclose(y, np.clip((X[:, 0] + X[:, 1]) / 10, -1, 1))


def test_gauss_regression_peaks_at_the_six_bumps_with_alternating_signs():
    X, y = DATASETS["gauss_regression"].generate(4000, 0.0, seed=0)
    assert y.min() >= -1 and y.max() <= 1
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, -2.5, -1), (0, -2.5, 1)]:
        near = np.hypot(X[:, 0] - cx, X[:, 1] - cy) < 0.5
        assert near.sum() > 5 and np.all(np.sign(y[near]) == sign) and np.abs(y[near]).min() > 0.7
    far = np.hypot(X[:, 0] - 2, X[:, 1]) < 0.3  # between bumps: no value
    assert np.all(y[far] == 0)


@pytest.mark.parametrize("name", PLANES)
def test_plane_noise_changes_targets_not_points(name):
    X0, y0 = DATASETS[name].generate(500, 0.0, seed=2)
    X1, y1 = DATASETS[name].generate(500, 0.8, seed=2)
    np.testing.assert_array_equal(X0, X1)
    assert np.abs(y1 - y0).mean() > 0.05


@pytest.mark.parametrize("name", SIDES)
def test_clean_side_classes_are_above_and_below_the_curve(name):
    X, y = DATASETS[name].generate(501, 0.0, seed=3)
    assert X.shape == (501, 2) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == 2 and abs(counts[0] - counts[1]) <= 1
    np.testing.assert_array_equal(y, (X[:, 1] > curve(name[5:], X[:, 0])).astype(np.int64))
    assert np.abs(X).max() <= 6


def test_random_split_partitions_with_the_train_share():
    tr, te = random_split(101, 0.7, seed=5)
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(101))
    assert len(tr) == 71
    np.testing.assert_array_equal(tr, random_split(101, 0.7, seed=5)[0])


def test_build_1d_dataset_standardizes_x_and_keeps_real_targets():
    ds = build_dataset("cubic", n_samples=200, noise=0.0, seed=1, train_fraction=0.7)
    assert ds.kind == "1d" and ds.is_regression and ds.n_classes == 0
    assert ds.n_train == 140 and ds.n_test == 60 and ds.n_features == 1
    assert ds.y_train.dtype == np.float64
    np.testing.assert_allclose(ds.y_train, ds.raw_train[:, 0] ** 3 / 9)
    assert abs(ds.X_train.mean()) < 1e-9 and abs(ds.X_train.std() - 1) < 1e-9
    xs, inputs = ds.line(50)
    assert xs[0] == ds.bounds[0][0] and xs[-1] == ds.bounds[0][1] and inputs.shape == (50, 1)
    lo, hi = ds.target_range
    assert lo <= ds.y_train.min() and hi >= ds.y_train.max()
    summary = ds.summary()
    assert summary["task"] == "regression" and summary["target_range"] == [lo, hi]


def test_build_2d_regression_dataset_and_no_clicked_points():
    ds = build_dataset("plane", n_samples=100, seed=0)
    assert ds.kind == "2d" and ds.is_regression and ds.y_train.dtype == np.float64
    assert ds.n_train == 50 and ds.class_names == []
    with pytest.raises(DataError, match="classification data only"):
        ds.with_point(0.0, 0.0, 1)


@pytest.mark.parametrize("name", FITS + PLANES)
def test_regression_previews_are_normalized(name):
    pts = DATASETS[name].preview(n=120, seed=0)
    arr = np.array(pts, dtype=float)
    assert arr.shape == (120, 3) and np.abs(arr).max() <= 1.0 + 1e-9
    assert pts == DATASETS[name].preview(n=120, seed=0)


def _csv(header, rows):
    return ("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n").encode()


def test_csv_with_a_real_target_and_one_column_is_a_1d_curve():
    rows = [[i / 10, round((i / 10) ** 2 + 0.5, 3)] for i in range(-20, 21)]
    ds = parse_csv(_csv(["x", "height"], rows), train_fraction=0.5, seed=0)
    assert ds.kind == "1d" and ds.is_regression and ds.target_name == "height"
    assert sorted(ds.y_train.tolist() + ds.y_test.tolist()) == sorted(r[1] for r in rows)


def test_csv_with_a_real_target_and_two_columns_is_a_2d_plane():
    rows = [[i, i % 7, i * 0.25] for i in range(30)]
    ds = parse_csv(_csv(["a", "b", "price"], rows))
    assert ds.kind == "2d" and ds.is_regression and ds.target_name == "price"
    assert ds.axis_names == ("a", "b")


def test_csv_many_integer_values_are_regression_unless_told():
    rows = [[i, i, i, i] for i in range(30)]
    assert parse_csv(_csv(["a", "b", "c", "y"], rows)).kind == "table"
    assert parse_csv(_csv(["a", "b", "c", "y"], rows)).is_regression
    few = [[i, i, i % 3] for i in range(30)]
    assert not parse_csv(_csv(["a", "b", "y"], few)).is_regression
    assert parse_csv(_csv(["a", "b", "y"], few), task="regression").is_regression


def test_csv_regression_needs_numbers_and_a_known_task():
    rows = [[i, i, "cat" if i % 2 else "dog"] for i in range(10)]
    with pytest.raises(DataError, match="finite numbers for regression") as err:
        parse_csv(_csv(["a", "b", "y"], rows), task="regression")
    assert err.value.field == "column 'y'"
    with pytest.raises(DataError, match="task must be one of auto, classification, regression"):
        parse_csv(_csv(["a", "b", "y"], rows), task="guess")
