"""TrainingSession: config -> data + model + optimizer; live vs structural changes; frames."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.training.frames.encode import decode_grid
from app.training.live.config import PRESETS, ConfigError, TrainingConfig
from app.training.live.session import TrainingSession


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSession()


def test_default_xor_run_learns_within_seconds_of_play(session):
    first = session.frame()["train"]["loss"]
    session.advance(session.config.speed * 30 * 5)  # five seconds of frames at defaults
    frame = session.frame()
    assert frame["train"]["loss"] < 0.5 * first
    assert frame["test"]["accuracy"] > 0.9


def test_live_change_keeps_the_run(session):
    session.advance(50)
    W = session.net.params["W1"].copy()
    change = session.configure({"learning_rate": 0.1, "batch_size": 20, "l2": 0.001})
    assert not change.rebuilt and set(change.changed) == {"learning_rate", "batch_size", "l2"}
    assert session.step == 50 and np.array_equal(session.net.params["W1"], W)
    assert session.opt.learning_rate == 0.1 and session.net.l2 == 0.001


def test_changing_optimizer_kind_keeps_the_weights(session):
    session.advance(20)
    W = session.net.params["W2"].copy()
    change = session.configure({"optimizer": "adam"})
    assert not change.rebuilt
    assert np.array_equal(session.net.params["W2"], W) and session.step == 20
    session.advance(5)
    assert not np.array_equal(session.net.params["W2"], W)


def test_structural_change_rebuilds_data_and_model(session):
    session.advance(30)
    change = session.configure({"hidden_layers": [6, 3, 2], "dataset": "spiral"})
    assert change.rebuilt and session.step == 0
    assert session.net.sizes[1:-1] == [6, 3, 2]
    assert session.data.name == "spiral"


def test_features_change_the_input_width(session):
    session.configure({"features": ["x1", "x2", "x1_sq", "sin_x2"]})
    assert session.net.sizes[0] == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"learning_rate": 50}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"hidden_layers": [4, 0]}, "hidden_layers"),
        ({"hidden_layers": [4] * 9}, "hidden_layers"),
        ({"activation": "swish"}, "activation"),
        ({"wobble": 1}, "wobble"),
        ({"batch_size": 400}, "batch_size"),  # 250 training points at defaults
        ({"noise": 2.0}, "noise"),
    ],
)
def test_bad_config_is_refused_and_nothing_changes(session, changes, field):
    session.advance(10)
    before = session.config
    with pytest.raises(ConfigError) as e:
        session.configure(changes)
    assert e.value.field == field
    assert field in e.value.message
    assert session.config == before and session.step == 10


def test_out_of_range_message_names_the_range(session):
    with pytest.raises(ConfigError, match=r"between 1e-05 and 10; got 50"):
        session.configure({"learning_rate": 50})


def test_binary_cross_entropy_on_four_classes_is_refused(session):
    session.configure({"dataset": "blobs", "classes": 4})
    with pytest.raises(ConfigError) as e:
        session.configure({"loss": "binary_cross_entropy"})
    assert e.value.field == "loss" and "2 classes" in e.value.message
    assert session.config.loss == "cross_entropy" and session.data.n_classes == 4


def test_same_config_gives_the_same_run_bit_for_bit():
    a, b = TrainingSession(), TrainingSession()
    a.advance(200)
    b.advance(200)
    for k in a.net.params:
        assert np.array_equal(a.net.params[k], b.net.params[k])


def test_reset_restores_the_initial_weights(session):
    W0 = session.net.params["W1"].copy()
    session.advance(40)
    session.reset()
    assert session.step == 0 and np.array_equal(session.net.params["W1"], W0)


def test_divergence_is_detected_and_reset_recovers(session):
    session.configure({"activation": "linear", "loss": "mse", "hidden_layers": [8, 8]})
    session.configure({"learning_rate": 10.0, "batch_size": 250})
    session.advance(500)
    assert session.diverged and session.status("running")["state"] == "diverged"
    assert "learning rate" in session.status("running")["message"]
    json.dumps(session.frame(), allow_nan=False)  # a diverged frame is still valid JSON
    session.configure({"learning_rate": 0.01})
    session.reset()
    assert not session.diverged and session.advance(5) == 5


def test_frame_at_defaults_is_small_and_complete(session):
    session.advance(10)
    frame = session.frame("running")
    size = len(json.dumps(frame, separators=(",", ":")))
    assert size <= 64 * 1024, size
    assert len(frame["layers"]) == 3
    cells = decode_grid(frame["boundary"]["cells"])
    classes = np.floor(cells / frame["boundary"]["levels"])
    assert cells.shape == (100, 100) and set(np.unique(classes)) <= {0.0, 1.0}
    assert [len(layer) for layer in frame["neurons"]] == [4, 4]
    assert decode_grid(frame["neurons"][0][0]).shape == (24, 24)  # as the page draws them
    hidden = frame["layers"][0]
    assert np.array(hidden["W"]).shape == (2, 4) and hidden["grad_norm"] > 0
    assert 0 <= hidden["saturated"] <= 1 and hidden["update_ratio"] > 0
    assert sum(hidden["hist"]["weights"]["counts"]) == 8


def test_relu_reports_dead_units(session):
    session.configure({"activation": "relu"})
    session.advance(5)
    layer = session.frame()["layers"][0]
    assert layer["saturated"] is None and 0 <= layer["dead"] <= 1


def test_mnist_frame_has_weight_images_confusion_and_samples(session):
    session.configure({"dataset": "mnist", **PRESETS["image"]})  # as the page sends it
    assert (session.n_train, len(session.y_test)) == (4000, 1000)
    session.advance(125)  # one epoch
    frame = session.frame()
    assert frame["boundary"] is None
    mnist = frame["mnist"]
    assert len(mnist["weights"]) == 16 and decode_grid(mnist["weights"][0]).shape == (28, 28)
    confusion = np.array(mnist["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 1000
    assert np.trace(confusion) / 1000 > 0.8  # one epoch of a small net already reads digits
    assert frame["layers"][0]["W"] is None  # 784x64 is too big for the diagram
    msg = session.dataset_message()
    assert msg["kind"] == "image" and len(msg["samples"]) == 12


def test_predict_a_point_and_a_drawing(session):
    p = session.predict(point=[1.0, 1.0])
    assert len(p["probs"]) == 2 and abs(sum(p["probs"]) - 1) < 1e-3
    assert [len(h) for h in p["hidden"]] == [4, 4]
    with pytest.raises(ConfigError):
        session.predict(image=[0.0] * 784)


def test_presets_are_valid_configs_and_the_2d_preset_is_the_default():
    defaults = TrainingConfig()
    for preset in PRESETS.values():
        TrainingConfig.model_validate({**defaults.model_dump(), **preset})
    assert all(getattr(defaults, k) == v for k, v in PRESETS["2d"].items())


def test_histograms_come_at_their_own_rate_and_in_every_paused_frame(session):
    session.advance(5)
    first = session.frame("running")
    assert first["layers"][0]["hist"] is not None
    # Built ~10 times a second while running: a frame right after the last carries none.
    assert all(layer["hist"] is None for layer in session.frame("running")["layers"])
    paused = session.frame("paused")
    assert sum(paused["layers"][1]["hist"]["activations"]["counts"]) == 4 * session.n_train


def test_rmsprop_decay_is_its_own_live_setting(session):
    session.configure({"optimizer": "rmsprop", "rho": 0.8})
    session.advance(3)
    assert session.opt.name == "rmsprop" and session.opt.rho == 0.8
    step = session.step
    change = session.configure({"rho": 0.95})
    assert not change.rebuilt and session.step == step and session.opt.rho == 0.95
