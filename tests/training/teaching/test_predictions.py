"""Every lesson prediction's right answer, checked on the real engine with the configuration
and the number of steps the page plays before it tells the learner.

A prediction whose answer does not hold is rewritten (app/training/teaching/lessons.json and
its words in static/i18n/*.json), not this test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from app.training.live.session import TrainingSession
from app.training.teaching.landscape import LandscapeJob
from app.training.teaching.lessons import lesson, lesson_config, lessons
from app.training.teaching.step_through import run_trace
from app.web.paths import STATIC_DIR


def predictions() -> list[tuple[dict, dict]]:
    return [(x, p) for x in lessons() for p in x.get("predict", [])]


def played(lesson_id: str, pred_id: str) -> tuple[TrainingSession, dict, dict, dict]:
    """What the page shows: a fresh session on the prediction's configuration, the frame
    before, the steps played, the frame after; and the prediction."""
    x = lesson(lesson_id)
    p = next(q for q in x["predict"] if q["id"] == pred_id)
    s = TrainingSession(lesson_config(x, variant=p["on"] == "try"))
    before = s.frame("paused", plane=False)
    s.advance(p["steps"])
    return s, before, s.frame("paused", plane=False), p


def test_six_or_more_predictions_each_with_a_check():
    found = predictions()
    assert len(found) >= 6
    checked = {name.removeprefix("test_answer_").replace("_", "-") for name in globals()}
    assert sorted({p["id"] for _, p in found} - checked) == []
    assert len({p["id"] for _, p in found}) == len(found)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_prediction_has_its_words(lang):
    words = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    for x, p in predictions():
        key = f"lesson.{x['id']}.predict.{p['id']}"
        for part in ["question", "why", *p["options"]]:
            assert words.get(f"{key}.{part}"), (key, part)


def test_answer_loss_direction():
    # Learning rate 3 on XOR: the loss goes up, all the way to NaN, within the 200 steps.
    s, before, after, p = played("learning-rate-too-large", "loss-direction")
    assert p["answer"] == "up"
    assert s.diverged or after["train"]["loss"] > before["train"]["loss"]


def test_answer_smallest_gradient():
    # Eight sigmoid layers after 200 steps: the first layer's gradient is the smallest.
    _, _, after, p = played("deep-sigmoid-stalls", "smallest-gradient")
    norms = [layer["grad_norm"] for layer in after["layers"]]
    assert p["answer"] == "first" and int(np.argmin(norms)) == 0
    assert norms[-1] >= 1e5 * norms[0]  # "about 100,000 times smaller"


def test_answer_which_layer_dies():
    # Learning rate 1 on 8-8 ReLUs: the second hidden layer loses more of its units.
    _, _, after, p = played("dead-relu", "which-layer-dies")
    first, second = (layer["dead"] for layer in after["layers"][:2])
    assert p["answer"] == "second" and second > first > 0
    assert (first, second) == (3 / 8, 5 / 8)  # the counts the reason quotes


def test_answer_next_boundary():
    # With no hidden layer the boundary over the plane is one straight line: the classes the
    # net predicts on a grid are separated exactly by a linear classifier (and not by XOR's
    # cross: the net gets XOR wrong).
    s, _, after, p = played("xor-hidden-layer", "next-boundary")
    assert p["answer"] == "line" and s.net.sizes == [2, 1]
    grid = s.grid_inputs(40)
    classes = s.net.predict(grid)
    assert 0 < classes.mean() < 1  # two sides on the picture
    line = LogisticRegression(C=1e6, max_iter=5000).fit(grid, classes)
    assert line.score(grid, classes) == 1.0
    assert after["test"]["accuracy"] <= 0.65


def test_answer_learns():
    # N(0, 0.1²) weights in six tanh layers: after 1,000 steps still a coin toss.
    _, _, after, p = played("initialization", "learns")
    assert p["answer"] == "no" and after["test"]["accuracy"] <= 0.6


def test_answer_test_loss():
    # 20 noisy points, a 32-32 net, 3,000 steps: the test loss ends higher than it started.
    _, before, after, p = played("overfitting-l2", "test-loss")
    assert p["answer"] == "rises" and after["test"]["loss"] >= 1.5 * before["test"]["loss"]


def test_answer_star_after_training():
    # After 1,000 steps the weights (the star) are the lowest point of the landscape.
    s, _, _, p = played("loss-landscape", "star-after-training")
    job = LandscapeJob(s, 11, 1.0)
    while not job.run_for(1.0):
        pass
    assert p["answer"] == "valley"
    assert job.loss.min() == pytest.approx(job.center_loss, rel=1e-6)


def test_answer_dw_sign():
    # The step-through's first step (what the lesson traces after a reset): the sign of
    # dL/dW1[0, 1], as the stepper displays it.
    s, _, _, p = played("backprop-by-hand", "dw-sign")
    assert p["steps"] == 0
    dw = run_trace(s)["layers"][0]["dW"][0][1]
    assert p["answer"] == ("positive" if dw > 0 else "negative" if dw < 0 else "zero")
