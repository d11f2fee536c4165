"""Input features for 2-D data: width, values, validation."""

import numpy as np
import pytest

from app.data import DEFAULT_FEATURES, FEATURES, DataError, build_dataset
from app.data.features import compute_features, validate_features


def test_feature_ids_and_labels():
    assert list(FEATURES) == ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    assert FEATURES["x1"] == "X₁" and FEATURES["x1_sq"] == "X₁²" and FEATURES["sin_x1"] == "sin(X₁)"
    assert DEFAULT_FEATURES == ("x1", "x2")


def test_feature_values_from_standardized_coordinates():
    z = np.array([[0.5, -2.0], [1.0, 3.0]])
    got = compute_features(z, tuple(FEATURES))
    want = np.array(
        [
            [0.5, -2.0, 0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)],
            [1.0, 3.0, 1.0, 9.0, 3.0, np.sin(1.0), np.sin(3.0)],
        ]
    )
    np.testing.assert_allclose(got, want)


@pytest.mark.parametrize(
    "features", [("x1",), ("sin_x2",), ("x1_sq", "x2_sq"), ("x1", "x2", "x1x2"), tuple(FEATURES)]
)
def test_network_width_follows_the_feature_choice(features):
    ds = build_dataset("circles", seed=0, features=features)
    assert ds.n_features == len(features) == ds.X_train.shape[1] == ds.X_test.shape[1]
    assert len(ds.input_names) == len(features)
    assert ds.transform(np.zeros((3, 2))).shape == (3, len(features))


def test_features_use_standardized_coordinates_and_are_not_restandardized():
    ds = build_dataset("xor", seed=0, features=("x1", "x1_sq", "sin_x1"))
    z1 = (ds.raw_train[:, 0] - ds.mean[0]) / ds.std[0]
    np.testing.assert_allclose(ds.X_train, np.column_stack([z1, z1**2, np.sin(z1)]))
    assert ds.X_train[:, 1].min() >= 0  # x1² keeps its meaning


def test_feature_order_is_canonical():
    assert validate_features(["x1x2", "x1"]) == ("x1", "x1x2")
    assert validate_features("x2") == ("x2",)
    assert validate_features(None) == DEFAULT_FEATURES


@pytest.mark.parametrize(
    ("features", "text"),
    [([], "at least one"), (["x9"], "unknown feature 'x9'"), (["x1", "x1"], "repeat")],
)
def test_bad_feature_choices_are_refused(features, text):
    with pytest.raises(DataError, match=text) as err:
        validate_features(features)
    assert err.value.field == "features"
