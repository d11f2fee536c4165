"""The exported script, run in a subprocess, continues the session: same loss after K steps.

Every loss, optimizer, activation and data kind (generated 2-D, edited 2-D points, an
uploaded table, MNIST) and both dtypes: 1e-9 relative in float64, 1e-5 in float32.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from app.data import parse_csv
from app.training.frames import parts
from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from app.training.takehome.script import _embedded_code, _generated_code, export_script

LINE = re.compile(r"^step=(\d+) train_loss=(\S+) train_(?:accuracy|r2)=(\S+)$")
TOL = {"float32": 1e-5, "float64": 1e-9}


def run_script(path, steps: int) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, str(path), "--steps", str(steps)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    step, loss, accuracy = LINE.match(out.strip().splitlines()[-1]).groups()
    return int(step), float(loss), float(accuracy)


def page_figures(s: TrainingSession) -> tuple[int, float, float]:
    """What the page shows: the frame's training loss and accuracy."""
    train = s.frame("paused", plane=False)["train"]
    return s.step, train["loss"], train["r2" if s.data.is_regression else "accuracy"]


def assert_continues(s: TrainingSession, tmp_path, k: int = 30) -> str:
    """Export s, then check the script against the session now and k steps later."""
    text = export_script(s)
    path = tmp_path / "run.py"
    path.write_text(text)
    tol = TOL[s.config.dtype]
    for steps in (0, k):
        if steps:
            s.advance(steps)
        step, loss, accuracy = run_script(path, steps)
        want_step, want_loss, want_accuracy = page_figures(s)
        assert step == want_step
        assert loss == pytest.approx(want_loss, rel=tol)
        assert accuracy == pytest.approx(want_accuracy, rel=tol, abs=1e-12)
    return text


CASES = [
    dict(),
    dict(dataset="moons", optimizer="adam", activation="relu", dtype="float64", l1=1e-3, l2=1e-2),
    dict(
        dataset="circles",
        optimizer="rmsprop",
        activation="sigmoid",
        loss="binary_cross_entropy",
        features=["x1", "x2", "x1_sq", "sin_x2"],
    ),
    dict(dataset="blobs", classes=4, optimizer="nesterov", activation="leaky_relu", loss="mse"),
    dict(dataset="gauss", optimizer="momentum", loss="mse", hidden_layers=[3], dtype="float64"),
    dict(dataset="spiral", optimizer="adam", activation="linear", hidden_layers=[6, 5, 4]),
    dict(dataset="xor", loss="binary_cross_entropy", dtype="float64", batch_size=7, l2=0.003),
    dict(dataset="spiral", classes=3, hidden_layers=[], optimizer="sgd", batch_size=250),
    # layers with their own settings: batch and layer norm, dropout, residual, activations.
    # Not Adam in float32 with batch norm: the bias before a batch norm has gradient 0 up to
    # rounding, and Adam's g / sqrt(v) turns two different roundings into different steps.
    dict(
        dataset="moons",
        optimizer="nesterov",
        hidden_layers=[
            {"units": 8, "norm": "batch", "dropout": 0.2},
            {"units": 8, "activation": "relu", "norm": "layer", "residual": True},
        ],
    ),
    dict(
        dataset="circles",
        dtype="float64",
        loss="binary_cross_entropy",
        l2=0.01,
        optimizer="momentum",
        hidden_layers=[
            {"units": 6, "activation": "sigmoid", "norm": "batch"},
            {"units": 6, "activation": "leaky_relu", "dropout": 0.5, "residual": True},
            {"units": 4, "norm": "layer"},
        ],
    ),
]


@pytest.mark.parametrize(
    "config", CASES, ids=lambda c: "-".join(str(v)[:20] for v in c.values()) or "default"
)
def test_generated_data_script_continues_the_session(config, tmp_path):
    s = TrainingSession(TrainingConfig(**config))
    s.advance(37)  # mid-epoch: the script must pick up the batch order where it is
    text = assert_continues(s, tmp_path, k=60)
    assert "def backward(" in text and "import torch" not in text
    assert f"{config.get('dataset', 'xor')}(N_SAMPLES" in text  # drawn, not embedded


def test_generated_data_code_matches_every_generator():
    for name in ("xor", "gauss", "blobs", "moons", "circles", "spiral"):
        s = TrainingSession(TrainingConfig(dataset=name, seed=12345, noise=0.7, n_samples=77))
        scope = {"np": np}
        exec(_generated_code(s), scope)
        np.testing.assert_array_equal(scope["X_train"], s.data.X_train)
        np.testing.assert_array_equal(scope["y_test"], s.data.y_test)


def test_live_changes_and_an_optimizer_switch_are_carried(tmp_path):
    s = TrainingSession(TrainingConfig(dataset="moons", dtype="float64"))
    s.advance(20)
    s.configure({"optimizer": "adam", "learning_rate": 0.01, "l1": 0.002})
    s.advance(15)
    s.configure({"beta1": 0.8, "beta2": 0.99, "batch_size": 16})
    s.advance(3)
    assert_continues(s, tmp_path, k=50)


def test_edited_points_are_embedded(tmp_path):
    s = TrainingSession(TrainingConfig(dataset="xor", dtype="float64"))
    s.advance(12)
    s.edit_point(1.0, 2.0, 0)
    s.advance(5)
    text = assert_continues(s, tmp_path)
    assert "stored in this file" in text and "xor(N_SAMPLES" not in text


def test_uploaded_table_is_embedded(tmp_path):
    rng = np.random.default_rng(3)
    rows = ["a,b,c,label"] + [
        f"{rng.normal() + k:.4f},{rng.normal():.4f},{rng.normal() - k:.4f},{'abc'[k]}"
        for k in np.repeat([0, 1, 2], 30)
    ]
    s = TrainingSession(TrainingConfig(optimizer="momentum"))
    s.load_dataset(parse_csv("\n".join(rows).encode(), seed=1))
    s.advance(9)
    assert s.data.kind == "table"
    assert "uploaded rows" in assert_continues(s, tmp_path)


def test_mnist_script_embeds_the_pixels_and_the_page_subset(tmp_path):
    s = TrainingSession(
        TrainingConfig(dataset="mnist", hidden_layers=[16], activation="relu", optimizer="adam",
                       learning_rate=0.003, batch_size=32)
    )  # fmt: skip
    s.advance(25)
    text = assert_continues(s, tmp_path, k=20)
    assert "np.float32(255.0)" in text and "eval_idx" in text
    assert len(text) < 2_000_000  # the 5,000 digits compress to ~1.3 MB


def test_embedded_code_is_exact_for_float_rows():
    s = TrainingSession(TrainingConfig(dataset="moons"))
    scope = {"np": np}
    exec(
        "import base64, zlib\n"
        "def unpack(t, d, s):\n"
        "    return np.frombuffer(zlib.decompress(base64.b64decode(t)), d).reshape(s)\n"
        + _embedded_code(s),
        scope,
    )
    np.testing.assert_array_equal(scope["X_train"], s.data.X_train)
    np.testing.assert_array_equal(scope["y_train"], s.data.y_train)


def test_page_figures_are_the_frame_figures():
    s = TrainingSession()
    s.advance(3)
    train, _ = parts.evaluate(s.net, s.X_train, s.y_train)
    assert page_figures(s)[1] == train["loss"]


@pytest.mark.parametrize(
    "config",
    [
        dict(dataset="plane", loss="mse", optimizer="adam", hidden_layers=[5]),
        dict(dataset="sine", loss="mse", activation="tanh", hidden_layers=[8], dtype="float64"),
        dict(dataset="side_cubic", optimizer="momentum"),
    ],
    ids=lambda c: c["dataset"],
)
def test_regression_and_function_data_continue(config, tmp_path):
    s = TrainingSession(TrainingConfig(**config))
    s.advance(23)
    text = assert_continues(s, tmp_path, k=40)
    if s.data.is_regression:
        assert "R^2" in text and "train_r2" in text


def test_the_script_inlines_the_reference_functions_themselves():
    import inspect

    from app.nn import reference
    from app.training.takehome import script_parts

    s = TrainingSession(
        TrainingConfig(hidden_layers=[{"units": 4, "norm": "batch", "dropout": 0.1}, 4])
    )
    text = export_script(s)
    for f in (reference.batchnorm_backward, reference.dropout_forward, reference.tanh_backward):
        assert inspect.getsource(f) in text
    assert "def layernorm_forward" not in text  # only what the run uses
    assert not hasattr(script_parts, "ACTIVATIONS") and not hasattr(script_parts, "LOSSES")


@pytest.mark.parametrize(
    "schedule",
    [
        {"kind": "step", "every": 1, "gamma": 0.5},
        {"kind": "exponential", "gamma": 0.8, "warmup": 2.5},
        {"kind": "cosine", "epochs": 3},
    ],
)
def test_a_learning_rate_schedule_continues_in_the_script(schedule, tmp_path):
    # Exported mid-warm-up or mid-decay, the script takes each step at the page's rate.
    s = TrainingSession(TrainingConfig(dtype="float64", lr_schedule=schedule, learning_rate=0.3))
    s.advance(37)
    text = assert_continues(s, tmp_path, k=60)
    assert "def scheduled_rate(" in text
