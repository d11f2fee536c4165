"""Surgery travels in the exported script: edited weights, frozen and killed units continue
exactly as on the page."""

from __future__ import annotations

import numpy as np
import pytest

from app.training.live import surgery
from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from tests.training.takehome.test_script_export import assert_continues


@pytest.mark.parametrize(
    "config",
    [
        dict(dataset="moons", optimizer="adam", activation="tanh", l2=0.01),
        dict(dataset="circles", optimizer="momentum", activation="relu", dtype="float64"),
    ],
    ids=["adam-float32", "momentum-float64"],
)
def test_script_with_surgery_continues_the_session(config, tmp_path):
    s = TrainingSession(TrainingConfig(hidden_layers=[5, 4], **config))
    s.advance(23)
    surgery.edit(s, "W2", [1, 2], 0.75)
    surgery.operate(s, "frozen", 1, 3, True)
    surgery.operate(s, "frozen", 3, 0, True)
    surgery.operate(s, "killed", 2, 1, True)
    frozen = s.net.params["W1"][:, 3].copy()
    text = assert_continues(s, tmp_path, k=50)
    assert "KILLED = {2: [1]}" in text and "FROZEN = {1: [3], 3: [0]}" in text
    assert np.array_equal(s.net.params["W1"][:, 3], frozen)  # the session kept it frozen


def test_a_script_without_surgery_has_no_surgery_block(tmp_path):
    s = TrainingSession(TrainingConfig())
    assert "KILLED" not in assert_continues(s, tmp_path, k=5)
