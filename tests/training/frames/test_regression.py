"""Regression sessions: r2 in frames, the 1-D curve with its unit contributions, the value
surface over the plane, step-through and gradient check unchanged, CSV targets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.data import parse_csv
from app.training.frames import curve
from app.training.frames.encode import decode_grid
from app.training.live.config import PRESETS, ConfigError, TrainingConfig, catalogue
from app.training.live.session import TrainingSession
from app.training.teaching.step_through import gradient_check, run_trace


def _session(dataset: str, preset: str, **kw) -> TrainingSession:
    return TrainingSession(TrainingConfig(dataset=dataset, **{**PRESETS[preset], **kw}))


def test_1d_frame_has_r2_and_the_curve_is_the_sum_of_its_units():
    s = _session("sine", "1d", hidden_layers=[8])
    s.advance(300)
    f = s.frame()
    assert f["train"]["accuracy"] is None and -1 < f["train"]["r2"] <= 1
    assert f["boundary"] is None and f["mnist"] is None
    c = f["curve"]
    assert len(c["x"]) == len(c["y"]) == curve.CURVE_RES
    assert c["unit_index"] == list(range(8)) and len(c["units"]) == 8
    xs, inputs = s.line()
    np.testing.assert_allclose(c["y"], s.net.predict_proba(inputs)[:, 0], rtol=1e-3, atol=1e-3)
    total = np.sum(c["units"], axis=0) + c["bias"]
    np.testing.assert_allclose(total, c["y"], atol=0.01)  # y_hat = sum_j w_j a_j(x) + b
    # neuron curves: one per hidden unit, every 4th point of the curve
    assert len(f["neurons"]) == 1 and len(f["neurons"][0]) == 8
    assert len(f["neurons"][0][0]) == curve.CURVE_RES // curve.NEURON_CURVE_STRIDE
    assert len(json.dumps(f)) < 64_000


def test_relu_units_are_hinges():
    s = _session("abs", "1d", hidden_layers=[4])
    s.advance(200)
    c = s.frame()["curve"]
    x = np.array(c["x"])
    for unit in map(np.array, c["units"]):
        # w_j * relu(z_j(x)) with z_j affine in x: zero on one side, a straight line on the other
        on = np.abs(unit) > 1e-3
        assert np.all(np.abs(unit[~on]) <= 1e-3)
        if on.sum() >= 3:
            slope, icept = np.polyfit(x[on], unit[on], 1)
            np.testing.assert_allclose(unit[on], slope * x[on] + icept, atol=2e-3)
        assert on[0] != on[-1] or on.all() or not on.any()  # one kink at most


def test_only_the_largest_units_are_listed_for_wide_layers():
    s = _session("cubic", "1d", hidden_layers=[40])
    f = s.frame()
    w = np.abs(s.net.params["W2"][:, 0])
    assert len(f["curve"]["units"]) == curve.MAX_UNIT_CURVES
    assert set(f["curve"]["unit_index"]) == set(np.argsort(-w)[: curve.MAX_UNIT_CURVES])


def test_1d_fit_improves_with_training():
    s = _session("cubic", "1d")
    before = s.frame()["test"]["r2"]
    s.advance(3000)
    after = s.frame()["test"]["r2"]
    assert after > 0.95 and after > before


def test_2d_regression_frame_paints_the_predicted_value():
    s = _session("gauss_regression", "2d_regression")
    s.advance(500)
    f = s.frame()
    b = f["boundary"]
    assert b["cells"] is None  # no classes: the value is the picture
    value = decode_grid(b["value"])
    pred = s.net.predict_proba(s.grid_inputs())[:, 0].reshape(value.shape)
    lo, hi = b["value"]["min"], b["value"]["max"]
    targets = np.concatenate([s.data.y_train, s.data.y_test])
    assert lo == -hi and hi >= np.abs(targets).max()  # symmetric about 0, covers the targets
    np.testing.assert_allclose(value, np.clip(pred, lo, hi), atol=(hi - lo) / 255 + 1e-6)
    assert f["test"]["r2"] is not None and f["curve"] is None
    assert len(f["neurons"]) == 2
    assert len(json.dumps(f)) < 64_000


def test_classification_frames_carry_r2_none():
    f = TrainingSession().frame()
    assert f["train"]["r2"] is None and f["train"]["accuracy"] is not None
    assert f["curve"] is None


def test_regression_data_refuses_a_class_loss_naming_the_field():
    s = TrainingSession()
    with pytest.raises(ConfigError, match="use mse") as err:
        s.configure({"dataset": "plane"})
    assert err.value.field == "loss"
    assert s.config.dataset == "xor"  # untouched
    change = s.configure({"dataset": "plane", **PRESETS["2d_regression"]})
    assert change.rebuilt and s.data.is_regression and s.net.targets == "values"


def test_step_through_and_gradient_check_work_on_regression():
    s = _session("step", "1d", hidden_layers=[3], activation="tanh")
    t = run_trace(s)
    assert t["loss_name"] == "mse" and all(isinstance(v, float) for v in t["labels"])
    y_hat = np.array(t["y_hat"])[:, 0]
    assert np.abs(y_hat).max() > 0  # raw outputs, not class probabilities
    check = gradient_check(s, "W1", [0, 1])
    assert check["rel_error"] < 1e-6


def test_probing_a_2d_regression_point_gives_its_value():
    s = _session("plane", "2d_regression")
    p = s.predict(point=[1.0, 2.0])
    x = s.data.transform(np.array([[1.0, 2.0]]))
    assert p["value"] == pytest.approx(float(s.net.predict_proba(x)[0, 0]), abs=1e-3)
    assert "probs" not in p


def test_dataset_message_for_1d_and_2d_regression():
    m = _session("sine", "1d").dataset_message()
    assert m["kind"] == "1d" and m["task"] == "regression"
    assert m["train"]["label"] is None and m["train"]["y"] == m["train"]["value"]
    assert len(m["train"]["x"]) == m["n_train"]
    m2 = _session("plane", "2d_regression").dataset_message()
    assert m2["train"]["label"] is None and len(m2["train"]["value"]) == m2["n_train"]
    assert m2["target_range"][0] <= min(m2["train"]["value"])


def test_uploaded_real_target_trains_as_regression_and_says_so():
    s = TrainingSession()
    rows = "\n".join(f"{i / 10},{(i / 10) ** 2:.3f}" for i in range(-30, 31))
    change = s.load_dataset(parse_csv(f"x,area\n{rows}\n".encode()))
    assert s.config.loss == "mse" and any("mse" in n for n in change.notes)
    assert "area" in change.message and "regression" in change.message
    s.advance(100)
    assert s.frame()["curve"] is not None


def test_catalogue_tells_each_dataset_its_task_and_preset():
    entries = {d["name"]: d for d in catalogue()["datasets"]}
    assert entries["sine"]["task"] == "regression" and entries["sine"]["preset"] == "1d"
    assert entries["plane"]["preset"] == "2d_regression"
    assert entries["side_sine"]["preset"] == "2d" and entries["mnist"]["preset"] == "image"
    assert all(PRESETS[p]["loss"] for p in PRESETS)
    assert PRESETS["1d"]["activation"] == "relu" and PRESETS["1d"]["loss"] == "mse"
