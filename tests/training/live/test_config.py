"""The config model and its catalogue: one source for every bound, option and default."""

from __future__ import annotations

import json

import pytest

from app.data import (
    DATASETS,
    N_SAMPLES_RANGE,
    NOISE_RANGE,
    SEED_RANGE,
    TRAIN_FRACTION_RANGE,
    build_dataset,
)
from app.nn import OPTIMIZERS, make_optimizer
from app.training.live.config import ConfigError, TrainingConfig, catalogue
from app.training.live.session import TrainingSession


def test_catalogue_bounds_come_from_the_config_model():
    fields = catalogue()["fields"]
    assert fields["learning_rate"]["min"] == 1e-5 and fields["learning_rate"]["max"] == 10
    assert fields["learning_rate"]["log"] and fields["learning_rate"]["live"]
    assert fields["hidden_layers"]["max_layers"] == 8 and fields["hidden_layers"]["max"] == 256
    assert fields["activation"]["default"] == TrainingConfig().activation
    names = [d["name"] for d in catalogue()["datasets"]]
    assert {"xor", "gauss", "blobs", "moons", "circles", "spiral", "mnist"} <= set(names)


def test_catalogue_is_json_ready_and_lists_the_registry():
    cat = json.loads(json.dumps(catalogue()))
    assert [d["name"] for d in cat["datasets"]] == list(DATASETS)
    fields = cat["fields"]
    assert [fields["n_samples"]["min"], fields["n_samples"]["max"]] == [20, 5000]
    assert [fields["noise"]["min"], fields["noise"]["max"]] == [0.0, 1.0]
    assert [f["id"] for f in fields["features"]["options"]][:2] == ["x1", "x2"]


@pytest.mark.parametrize(
    "key, bounds",
    [
        ("n_samples", N_SAMPLES_RANGE),
        ("noise", NOISE_RANGE),
        ("train_fraction", TRAIN_FRACTION_RANGE),
        ("seed", SEED_RANGE),
    ],
)
def test_data_bounds_are_the_registry_s(key, bounds):
    field = catalogue()["fields"][key]
    assert (field["min"], field["max"]) == bounds


def test_the_largest_seed_the_page_may_send_builds_the_data():
    top = catalogue()["fields"]["seed"]["max"]
    assert top == 2**32 - 1
    session = TrainingSession()
    session.configure({"seed": top})  # accepted by the config and by the generator alike
    assert session.config.seed == top and session.advance(1) == 1
    assert build_dataset("xor", seed=top).n_train == session.n_train
    with pytest.raises(ConfigError, match=f"seed must be between 0 and {top}"):
        session.configure({"seed": top + 1})


def test_class_bounds_span_the_datasets_that_have_classes():
    field = catalogue()["fields"]["classes"]
    ranges = [s.classes_range for s in DATASETS.values() if s.classes_range]
    assert field["min"] == min(r[0] for r in ranges)
    assert field["max"] == max(r[1] for r in ranges)


def test_when_a_setting_applies_comes_from_the_optimizers_that_read_it():
    fields = catalogue()["fields"]
    assert fields["momentum"]["when"] == {"optimizer": ["momentum", "nesterov"]}
    assert fields["beta1"]["when"] == fields["beta2"]["when"] == {"optimizer": ["adam"]}
    assert fields["rho"]["when"] == {"optimizer": ["rmsprop"]}
    assert "when" not in fields["learning_rate"] and "when" not in fields["l2"]
    # Each setting a rule reads really moves its steps, and no other rule's.
    for key in ("momentum", "beta1", "beta2", "rho"):
        users = fields[key]["when"]["optimizer"]
        for name in OPTIMIZERS:
            assert (name in users) == _setting_moves_the_step(name, key), (name, key)


def _setting_moves_the_step(name: str, key: str) -> bool:
    import numpy as np

    deltas = []
    for value in (0.5, 0.8):
        opt = make_optimizer(name, learning_rate=0.1, **{key: value})
        p = {"w": np.array([1.0, -2.0])}
        for g in ([0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]):
            opt.step(p, {"w": np.array(g)})
        deltas.append(p["w"].copy())
    return not np.array_equal(*deltas)


def test_every_option_has_a_label_and_no_label_names_a_missing_option():
    for key, field in catalogue()["fields"].items():
        if field.get("kind") == "choice" and key not in ("dataset", "dtype"):
            assert set(field["labels"]) == set(field["options"]), key
