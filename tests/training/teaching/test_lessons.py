"""Every lesson's claim, checked on the real engine with the lesson's own configuration.

A lesson whose claim does not hold is rewritten (app/training/teaching/lessons.json and its words
in static/i18n/*.json), not this test. The numbers a lesson's text quotes are the ones asserted
here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.training.live.session import TrainingSession
from app.training.teaching.landscape import LandscapeJob
from app.training.teaching.lessons import lesson, lesson_config, lessons
from app.training.teaching.step_through import gradient_check, run_trace

STATIC_DIR = Path(__file__).resolve().parents[3] / "static"


def run(lesson_id: str, steps: int, variant: bool = False) -> tuple[TrainingSession, dict]:
    """A session on the lesson's configuration after `steps` steps, and its frame."""
    s = TrainingSession(lesson_config(lesson(lesson_id), variant))
    s.advance(steps)
    return s, s.frame("paused", plane=False)


def curve(lesson_id: str, steps: int, every: int, variant: bool = False) -> list[dict]:
    """Frames every `every` steps up to `steps`: what the loss/accuracy panel draws."""
    s = TrainingSession(lesson_config(lesson(lesson_id), variant))
    out = []
    for _ in range(steps // every):
        s.advance(every)
        out.append(s.frame("paused", plane=False))
    return out


def grad_norms(frame: dict) -> list[float]:
    return [layer["grad_norm"] for layer in frame["layers"]]


def hidden(frame: dict, key: str) -> list[float]:
    return [layer[key] for layer in frame["layers"][:-1]]


def test_there_are_at_least_eight_lessons_each_with_a_claim_test():
    ids = [x["id"] for x in lessons()]
    assert len(ids) >= 8 and len(set(ids)) == len(ids)
    claimed = {name.removeprefix("test_claim_").replace("_", "-") for name in globals()}
    assert sorted(set(ids) - claimed) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_lesson_has_its_words(lang):
    words = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    for x in lessons():
        parts = ["title", "text", "watch", "question"] + (["try"] if x.get("try") else [])
        for part in parts:
            assert words.get(f"lesson.{x['id']}.{part}"), (x["id"], part)


def test_claim_xor_hidden_layer():
    # 2-2-1 sigmoid + BCE separates XOR's four quadrants ...
    _, f = run("xor-hidden-layer", 2000)
    assert 0.85 <= f["test"]["accuracy"] <= 0.95  # "about 90 %"
    # ... with no hidden layer it is a straight line: "the accuracy only wanders — about 50 %
    # on average, never past about 70 %" (sampled every 250 steps up to 10,000).
    accs = [f["test"]["accuracy"] for f in curve("xor-hidden-layer", 10_000, 250, variant=True)]
    assert max(accs) <= 0.75
    assert 0.4 <= float(np.mean(accs)) <= 0.6


def test_claim_mnist_sigmoid_mse():
    # The 784-28-28-10 sigmoid net with MSE learns the digits (slowly) ...
    _, f = run("mnist-sigmoid-mse", 4000)
    assert 0.88 <= f["test"]["accuracy"] <= 0.95  # "about 9 digits in 10"
    # ... and a learning rate of 1 saturates its sigmoids: stuck near 10 %.
    _, f = run("mnist-sigmoid-mse", 2000, variant=True)
    assert f["test"]["accuracy"] <= 0.15  # "falls to chance (10 %)"
    assert max(hidden(f, "saturated")) >= 0.8


def test_claim_deep_sigmoid_stalls():
    # Eight sigmoid layers: after 200 steps the first layer's gradient is >= 100x smaller
    # than the last's, and the net has learned nothing.
    _, f = run("deep-sigmoid-stalls", 200)
    g = grad_norms(f)
    assert g[0] * 100 <= g[-1]
    assert f["test"]["accuracy"] <= 0.6
    # tanh (zero-centred, slope 1 at 0) keeps every layer's gradient within 10x.
    _, f = run("deep-sigmoid-stalls", 200, variant=True)
    g = grad_norms(f)
    assert max(g) <= 10 * min(g)


def test_claim_batchnorm_deep_sigmoid():
    # The stalled 8-layer sigmoid net at learning rate 1: after 2000 steps the first layer's
    # gradient is >= 100,000x smaller than the biggest and the net sits at a coin toss ...
    _, f = run("batchnorm-deep-sigmoid", 2000)
    g = grad_norms(f)
    assert g[0] * 100_000 <= max(g) and f["test"]["accuracy"] <= 0.6
    # ... with batch norm on every layer every gradient is within 100x and it learns (>= 95%).
    s, f = run("batchnorm-deep-sigmoid", 2000, variant=True)
    assert all(spec.norm == "batch" for spec in s.net.specs)
    g = grad_norms(f)
    assert max(g) <= 100 * min(g)
    assert f["test"]["accuracy"] >= 0.95


def test_claim_residual_deep():
    # Eight plain tanh layers stay below 70% on the spiral after 1500 steps ...
    _, f = run("residual-deep", 1500)
    assert f["test"]["accuracy"] <= 0.7
    # ... the same eight with layers 2-8 residual wind around it (>= 90%).
    s, f = run("residual-deep", 1500, variant=True)
    assert [spec.residual for spec in s.net.specs] == [False] + [True] * 7
    assert f["test"]["accuracy"] >= 0.9


def test_claim_learning_rate_too_large():
    s, _ = run("learning-rate-too-large", 200)
    assert s.diverged  # the loss became NaN or infinite within 200 steps
    s, f = run("learning-rate-too-large", 2000, variant=True)
    assert not s.diverged and f["test"]["accuracy"] >= 0.85


def test_claim_dead_relu():
    # A learning rate of 1 knocks ReLUs dead: a quarter or more of the hidden units output 0
    # for every example, for good (no gradient flows through them).
    _, f = run("dead-relu", 500)
    assert np.mean(hidden(f, "dead")) >= 0.25
    _, f = run("dead-relu", 500, variant=True)
    assert max(hidden(f, "dead")) == 0


def test_claim_initialization():
    # Six tanh layers from N(0, 0.1²): every layer shrinks the signal, gradients are tiny and
    # the net sits at 50 % ...
    _, f = run("initialization", 1000)
    assert 0.4 <= f["test"]["accuracy"] <= 0.6  # "still sits at 50 %"
    assert max(grad_norms(f)) < 1e-3
    # ... Xavier scales each layer by its fan-in and fan-out: the same net learns the circles.
    _, f = run("initialization", 1000, variant=True)
    assert f["test"]["accuracy"] >= 0.95


def test_claim_momentum_adam_spiral():
    _, f = run("momentum-adam-spiral", 3000)
    assert 0.5 <= f["test"]["accuracy"] <= 0.7  # plain SGD is still lost: "about 60 %"
    _, f = run("momentum-adam-spiral", 3000, variant=True)
    assert f["test"]["accuracy"] >= 0.9  # Adam has unrolled it
    s = TrainingSession(
        lesson_config(lesson("momentum-adam-spiral")).model_copy(update={"optimizer": "momentum"})
    )
    s.advance(3000)
    assert s.frame("paused", plane=False)["test"]["accuracy"] >= 0.9  # so has momentum


def test_claim_loss_landscape():
    # Before training the weights sit on a slope: lower ground is in the picture. After 1,000
    # steps of Adam they sit at the bottom of a valley: the lowest point, far below the rim.
    s = TrainingSession(lesson_config(lesson("loss-landscape")))
    start = landscape(s)
    assert start.loss.min() < 0.8 * start.center_loss
    s.advance(1000)
    trained = landscape(s)
    rim = np.concatenate(
        [trained.loss[0], trained.loss[-1], trained.loss[:, 0], trained.loss[:, -1]]
    )
    assert trained.loss.min() == pytest.approx(trained.center_loss, rel=1e-6)
    assert trained.center_loss <= 0.2 * rim.min()


def landscape(s: TrainingSession, resolution: int = 11) -> LandscapeJob:
    job = LandscapeJob(s, resolution, 1.0)
    while not job.run_for(1.0):
        pass
    return job


def test_claim_overfitting_l2():
    # 20 noisy training points, a 32-32 net: training loss goes to 0 while the test loss
    # climbs (memorising the noise) ...
    fs = curve("overfitting-l2", 3000, 250)
    assert fs[-1]["train"]["accuracy"] == 1.0
    assert fs[-1]["test"]["loss"] >= 2 * fs[0]["test"]["loss"]
    assert fs[-1]["train"]["accuracy"] - fs[-1]["test"]["accuracy"] >= 0.15
    # ... L2 = 0.01 keeps the weights small: the test loss stays flat and accuracy is higher.
    gs = curve("overfitting-l2", 3000, 250, variant=True)
    assert gs[-1]["test"]["loss"] <= 1.2 * gs[0]["test"]["loss"]
    assert gs[-1]["test"]["accuracy"] >= fs[-1]["test"]["accuracy"] + 0.05


def test_claim_dropout_noisy_data():
    # 20 noisy points, 64-64: the plain net's test loss ends above 1 after 1500 steps ...
    _, plain = run("dropout-noisy-data", 1500)
    assert plain["test"]["loss"] > 1.0
    # ... with dropout 0.5 on both layers it ends below 0.6 of that.
    s, dropped = run("dropout-noisy-data", 1500, variant=True)
    assert [spec.dropout for spec in s.net.specs] == [0.5, 0.5]
    assert dropped["test"]["loss"] <= 0.6 * plain["test"]["loss"]


@pytest.mark.parametrize(
    ("lesson_id", "steps"),
    [("batchnorm-deep-sigmoid", 2000), ("residual-deep", 1500), ("dropout-noisy-data", 1500)],
)
@pytest.mark.parametrize("variant", [False, True])
def test_a_lesson_about_n_steps_stops_there_by_itself(lesson_id, steps, variant):
    """On the page a run goes on until paused; these lessons' claims are "after N steps", so
    their stop_at ends both runs at step N, where the claim tests above look."""
    s = TrainingSession(lesson_config(lesson(lesson_id), variant))
    assert s.advance(steps + 50) == steps
    assert s.step == steps and s.stopped["reason"] == "epochs"


def test_claim_cross_entropy_vs_mse():
    # Same 784-28-28-10 sigmoid net, same learning rate: softmax + cross-entropy is ahead
    # after 1,000 steps (its output gradient is not damped by a squared error near 0).
    _, mse = run("cross-entropy-vs-mse", 1000)
    _, ce = run("cross-entropy-vs-mse", 1000, variant=True)
    assert ce["test"]["accuracy"] >= mse["test"]["accuracy"] + 0.03
    assert ce["test"]["accuracy"] >= 0.88


def test_claim_backprop_by_hand():
    # The step-through's numbers are the real step: backprop's dL/dW agrees with finite
    # differences, and the update lowers the batch's loss.
    s = TrainingSession(lesson_config(lesson("backprop-by-hand")))
    s.advance(20)
    trace = run_trace(s)
    assert trace["batch_size"] == 4
    assert trace["loss_after"] < trace["loss_before"]
    for param, index in (("W1", [0, 1]), ("W2", [1, 0])):
        check = gradient_check(s, param, index)
        assert check["rel_error"] < 1e-6, (param, check)
        layer = trace["layers"][int(param[1:]) - 1]
        shown = layer["dW"][index[0]][index[1]]  # what the step-through displays (float32)
        assert shown == pytest.approx(check["analytic"], rel=1e-4, abs=1e-7)


def test_claim_symmetry():
    # Constant init: every unit of a layer stays a copy of the others (1 distinct of 8), and
    # the net, as narrow as one unit per layer, stays near 50 % on the circles ...
    _, f = run("symmetry", 2000)
    assert hidden(f, "distinct") == [1, 1]
    assert f["test"]["accuracy"] <= 0.6
    # ... Xavier's random start: 8 distinct units per layer and the circles learned.
    _, f = run("symmetry", 2000, variant=True)
    assert hidden(f, "distinct") == [8, 8]
    assert f["test"]["accuracy"] >= 0.95


def test_claim_bug_hunt():
    # Whatever bug "random" plants in this configuration, the learner can catch it: a gradient
    # bug fails the gradient check (relative error > 1e-3) on some weight of the traced batch;
    # the update bug, whose gradients are right, makes the loss climb.
    from app.nn.bugs import BUGS, shows_in
    from app.training.teaching import bughunt

    config = lesson_config(lesson("bug-hunt"))
    showing = [b for b in BUGS if shows_in(b, TrainingSession(config).net)]
    assert len(showing) == len(BUGS)  # every bug can be drawn here
    for bug in showing:
        s = TrainingSession(config)
        bughunt.start(s, bug)
        if bug == "update_sign":
            first = s.frame("paused", plane=False)["train"]["loss"]
            s.advance(300)
            assert s.frame("paused", plane=False)["train"]["loss"] > first
            continue
        run_trace(s)
        worst = max(
            gradient_check(s, name, list(index))["rel_error"]
            for name, p in s.net.params.items()
            for index in np.ndindex(p.shape)
        )
        assert worst > 1e-3, bug
