"""Naming a stuck network, from the frames the page sees."""

from __future__ import annotations

from app.training.live.session import TrainingSession
from app.training.teaching.stuck import STALL_STEPS, StuckWatch


def frame(step, loss, acc, dead=0.0, saturated=None, activation="relu"):
    hidden = {"dead": dead, "saturated": saturated, "activation": activation}
    out = {"dead": None, "saturated": None, "activation": "softmax"}
    return {
        "state": "running",
        "step": step,
        "train": {"loss": loss, "accuracy": acc},
        "layers": [hidden, dict(hidden), out],
    }


def test_relu_at_a_high_rate_dies_and_is_named():
    s = TrainingSession()
    s.configure({"activation": "relu", "learning_rate": 3.0, "init": "he_normal"})
    s.advance(600)
    note = StuckWatch().check(s.frame("paused", plane=False), s.generation, chance=0.5)
    assert note["code"] == "dead_layer" and note["params"] == {"layer": 2}
    assert "leaky_relu" in note["message"] and "lower learning rate" in note["message"]


def test_a_note_is_said_once_until_the_run_changes():
    watch = StuckWatch()
    assert watch.check(frame(10, 0.69, 0.5, dead=1.0), 1, 0.5)["code"] == "dead_layer"
    assert watch.check(frame(20, 0.69, 0.5, dead=1.0), 1, 0.5) is None
    assert watch.check(frame(0, 0.69, 0.5, dead=1.0), 2, 0.5)["code"] == "dead_layer"


def test_saturated_tanh_is_named_with_its_activation():
    note = StuckWatch().check(
        frame(5, 0.7, 0.5, dead=None, saturated=1.0, activation="tanh"), 1, 0.5
    )
    assert note["code"] == "saturated_layer" and note["params"]["activation"] == "tanh"


def test_a_flat_loss_at_chance_is_stalled_but_a_learning_run_is_not():
    watch = StuckWatch()
    notes = [watch.check(frame(s, 0.6931, 0.5), 1, 0.5) for s in range(0, 2 * STALL_STEPS, 50)]
    said = [n for n in notes if n]
    assert len(said) == 1 and said[0]["code"] == "stalled"
    assert said[0]["params"]["steps"] >= STALL_STEPS
    learning = StuckWatch()
    for s in range(0, 2 * STALL_STEPS, 50):
        assert learning.check(frame(s, 0.7 - s * 1e-4, 0.5), 1, 0.5) is None
    flat_but_good = StuckWatch()  # converged: the loss is flat, accuracy is not at chance
    for s in range(0, 2 * STALL_STEPS, 50):
        assert flat_but_good.check(frame(s, 0.05, 0.98), 1, 0.5) is None
