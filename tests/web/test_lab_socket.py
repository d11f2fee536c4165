"""Bug hunt and neuron surgery over a real uvicorn server: bughunt, guess, reveal, edit,
freeze, kill, symmetric inits, and surgery travelling in a saved run."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from app.nn.bugs import BUGS
from app.training.teaching.stuck import CODES

LIMIT = 3000  # messages read while waiting for one


class Tab:
    """A browser tab's socket, synchronously: send_json / receive_json like TestClient's."""

    def __init__(self, url: str):
        self.ws = connect(url, max_size=2**24, open_timeout=20).__enter__()

    def send_json(self, msg: dict) -> None:
        self.ws.send(json.dumps(msg))

    def receive_json(self) -> dict:
        return json.loads(self.ws.recv(timeout=30))

    def until(self, kind: str, where=lambda m: True) -> dict:
        for _ in range(LIMIT):
            msg = self.receive_json()
            if msg["type"] == kind and where(msg):
                return msg
        raise AssertionError(f"no {kind} message in {LIMIT}")

    def paused(self) -> dict:
        """Pause; returns the paused frame."""
        self.send_json({"type": "pause"})
        return self.until("frame", lambda f: f["state"] == "paused")

    def error(self, msg: dict) -> dict:
        self.send_json(msg)
        return self.until("error")

    def gradcheck(self, param: str, index: list[int]) -> float:
        self.send_json({"type": "trace"})
        self.until("trace")
        self.send_json({"type": "gradcheck", "param": param, "index": index})
        return self.until("gradcheck")["rel_error"]


@pytest.fixture
def tab(live_server_obj) -> Iterator[Tab]:
    t = Tab(live_server_obj.ws_url)
    t.until("hello")
    yield t
    t.ws.close()


def test_a_planted_bug_is_flagged_by_gradcheck_guessed_revealed_and_removed(tab):
    tab.paused()
    assert tab.gradcheck("W1", [0, 1]) < 1e-4  # the true engine
    tab.send_json({"type": "bughunt", "bug": "w_not_transposed"})
    hunt = tab.until("bughunt")
    assert hunt["active"] is True and sorted(hunt["candidates"]) == sorted(BUGS)
    assert "w_not_transposed" not in json.dumps(
        {k: v for k, v in hunt.items() if k != "candidates"}
    )
    assert max(tab.gradcheck("W1", [i, j]) for i in range(2) for j in range(4)) > 1e-3
    tab.send_json({"type": "guess", "bug": "update_sign"})
    assert tab.until("guess") == {
        "type": "guess",
        "bug": "update_sign",
        "correct": False,
        "tries": 1,
    }
    tab.send_json({"type": "guess", "bug": "w_not_transposed"})
    guess = tab.until("guess")
    assert guess["correct"] is True and guess["tries"] == 2
    reveal = tab.receive_json()
    assert reveal["type"] == "reveal" and reveal["bug"] == "w_not_transposed"
    assert "W_T" in reveal["right"] or ".T" in reveal["right"]
    assert "@ W" in reveal["wrong"] and ".py:" in reveal["where"]
    tab.send_json({"type": "bughunt", "bug": None})
    assert tab.until("bughunt")["active"] is False
    assert max(tab.gradcheck("W1", [i, j]) for i in range(2) for j in range(4)) < 1e-4


def test_three_wrong_guesses_reveal_the_bug_and_the_hunt_outlives_reset(tab):
    tab.paused()
    tab.send_json({"type": "bughunt", "bug": "bias_wrong_axis"})
    tab.until("bughunt")
    tab.send_json({"type": "reset"})
    tab.until("frame", lambda f: f["step"] == 0)
    assert max(tab.gradcheck("b1", [j]) for j in range(4)) > 1e-3  # still planted
    for n, wrong in enumerate(["update_sign", "no_batch_mean", "fprime_of_a"], 1):
        tab.send_json({"type": "guess", "bug": wrong})
        assert tab.until("guess")["tries"] == n
    reveal = tab.receive_json()
    assert reveal["type"] == "reveal" and reveal["bug"] == "bias_wrong_axis"
    assert reveal["wrong"] != reveal["right"]


def test_random_hunt_names_no_bug_and_bad_hunts_are_errors_naming_bug(tab):
    tab.send_json({"type": "bughunt", "bug": "random"})
    hunt = tab.until("bughunt")
    assert hunt["active"] and len(hunt["candidates"]) >= 8 and "bug" not in hunt
    err = tab.error({"type": "bughunt", "bug": "typo"})
    assert err["field"] == "bug" and "random" in err["message"]
    err = tab.error({"type": "bughunt", "bug": "l2_grad_missing"})  # l2 is 0
    assert err["field"] == "bug" and err["code"] == "bug_hidden"
    tab.send_json({"type": "bughunt", "bug": None})
    tab.until("bughunt", lambda h: not h["active"])
    err = tab.error({"type": "guess", "bug": "update_sign"})
    assert err["field"] == "bug" and err["code"] == "no_hunt"
    assert tab.until("frame", lambda f: f["step"] > 5)["state"] == "running"


def test_edit_sets_one_weight_and_answers_edited_with_a_paused_frame(tab):
    tab.until("frame", lambda f: f["step"] > 0)  # while running
    tab.send_json({"type": "edit", "param": "W2", "index": [0, 1], "value": 2.5})
    status = tab.until("status")
    assert status["code"] == "edited" and status["state"] == "paused"
    assert status["params"] == {"param": "W2", "index": [0, 1], "value": 2.5}
    frame = tab.receive_json()
    assert frame["type"] == "frame" and frame["state"] == "paused"
    assert frame["layers"][1]["W"][0][1] == 2.5
    tab.send_json({"type": "edit", "param": "b3", "index": [1], "value": -1.0})
    tab.until("status", lambda s: s.get("code") == "edited")
    assert tab.receive_json()["layers"][2]["b"][1] == -1.0


@pytest.mark.parametrize(
    ("msg", "field"),
    [
        ({"type": "edit", "param": "W9", "index": [0, 0], "value": 1.0}, "param"),
        ({"type": "edit", "param": "W1", "index": [2, 0], "value": 1.0}, "index"),
        ({"type": "edit", "param": "b1", "index": [0, 0], "value": 1.0}, "index"),
        ({"type": "edit", "param": "W1", "index": [0, 0], "value": 1e9}, "value"),
        ({"type": "freeze", "layer": 4, "unit": 0}, "layer"),
        ({"type": "freeze", "layer": 1, "unit": 4}, "unit"),
        ({"type": "kill", "layer": 3, "unit": 0}, "layer"),
        ({"type": "kill", "layer": 2, "unit": -1}, "unit"),
    ],
)
def test_bad_surgery_is_an_error_naming_the_field_and_the_run_goes_on(tab, msg, field):
    err = tab.error(msg)
    assert err["field"] == field, err
    assert tab.until("frame", lambda f: f["step"] > 5)["state"] == "running"


def test_freeze_keeps_a_units_weights_and_kill_silences_it(tab):
    tab.send_json({"type": "freeze", "layer": 1, "unit": 0, "on": True})
    assert tab.until("status", lambda s: "params" in s)["code"] == "edited"
    frozen = tab.receive_json()
    assert frozen["layers"][0]["frozen"] == [0] and frozen["state"] == "paused"
    tab.send_json({"type": "kill", "layer": 2, "unit": 3, "on": True})
    tab.until("status", lambda s: s.get("code") == "edited")
    assert tab.receive_json()["layers"][1]["killed"] == [3]
    tab.send_json({"type": "step", "n": 40})
    later = tab.until("frame", lambda f: f["step"] == frozen["step"] + 40)
    column = [row[0] for row in later["layers"][0]["W"]]
    assert column == [row[0] for row in frozen["layers"][0]["W"]]
    assert [r[1] for r in later["layers"][0]["W"]] != [r[1] for r in frozen["layers"][0]["W"]]
    tab.send_json({"type": "predict", "point": [0.5, -0.5]})
    assert tab.until("prediction")["hidden"][1][3] == 0
    tab.send_json({"type": "kill", "layer": 2, "unit": 3, "on": False})
    tab.until("status", lambda s: s.get("code") == "edited")
    assert tab.receive_json()["layers"][1]["killed"] == []


def test_zeros_init_shows_one_distinct_unit_per_layer_after_training(tab):
    tab.paused()
    tab.send_json({"type": "configure", "config": {"init": "zeros", "hidden_layers": [8, 8]}})
    first = tab.until("frame", lambda f: f["step"] == 0)
    assert [layer["distinct"] for layer in first["layers"]] == [1, 1, None]
    tab.send_json({"type": "step", "n": 100})
    later = tab.until("frame", lambda f: f["step"] == 100)
    assert [layer["distinct"] for layer in later["layers"]] == [1, 1, None]
    tab.send_json({"type": "configure", "config": {"init": "xavier_uniform"}})
    assert tab.until("frame", lambda f: f["step"] == 0)["layers"][0]["distinct"] == 8


def test_surgery_travels_in_a_saved_run(tab, live_server_obj):
    tab.paused()
    tab.send_json({"type": "edit", "param": "W1", "index": [1, 2], "value": 1.25})
    tab.send_json({"type": "freeze", "layer": 2, "unit": 1})
    tab.send_json({"type": "kill", "layer": 1, "unit": 0})
    for _ in range(3):
        tab.until("status", lambda s: s.get("code") == "edited")
    tab.send_json({"type": "export", "format": "run"})
    run = json.loads(tab.until("export")["content"])
    assert run["surgery"] == {"frozen": [[2, 1]], "killed": [[1, 0]]}
    other = Tab(live_server_obj.ws_url)
    try:
        other.paused()
        other.send_json({"type": "load", "run": run})
        frame = other.until("frame", lambda f: f["step"] == run["counters"]["step"])
        assert frame["layers"][0]["W"][1][2] == 1.25
        assert frame["layers"][1]["frozen"] == [1] and frame["layers"][0]["killed"] == [0]
    finally:
        other.ws.close()


def test_a_hunt_goes_on_in_a_run_opened_in_the_same_tab(tab):
    tab.paused()
    tab.send_json({"type": "bughunt", "bug": "no_batch_mean"})
    tab.until("bughunt")
    tab.send_json({"type": "export", "format": "run"})
    run = json.loads(tab.until("export")["content"])
    tab.send_json({"type": "load", "run": run})
    tab.until("status", lambda s: s.get("code") == "opened")
    assert tab.gradcheck("W2", [0, 0]) > 1e-3  # still planted in the opened run
    tab.send_json({"type": "guess", "bug": "no_batch_mean"})
    assert tab.until("guess")["correct"] is True


def _stuck_said(tab: Tab, steps: int) -> list[str]:
    """Play a dying ReLU net until `steps` (or until it stops by itself); the stuck codes the
    session said meanwhile."""
    said, ran = [], False
    tab.send_json({"type": "play"})
    while True:
        msg = tab.receive_json()
        if msg["type"] == "status" and msg.get("code") in CODES:
            said.append(msg["code"])
        if msg["type"] == "frame":
            ran = ran or msg["state"] == "running"
            if msg["step"] >= steps or (ran and msg["state"] != "running"):
                tab.paused()
                return said


def test_a_bug_hunt_gets_no_stuck_advice(tab):
    """The stuck note would send a student to the learning rate or the init; in a bug hunt
    the planted bug is the cause, so the session keeps quiet."""
    tab.paused()
    dying = {"activation": "relu", "learning_rate": 3, "init": "he_normal"}
    tab.send_json({"type": "configure", "config": dying})
    tab.until("status", lambda m: m.get("config", {}).get("learning_rate") == 3)
    assert _stuck_said(tab, 3000)  # this run is named stuck ...
    # the bias's gradient summed the wrong way: the weights still take the big steps that
    # kill the layer, so the hunted run dies the same way
    tab.send_json({"type": "bughunt", "bug": "bias_wrong_axis"})
    tab.until("bughunt")
    tab.send_json({"type": "reset"})
    tab.until("frame", lambda f: f["step"] == 0)
    assert _stuck_said(tab, 3000) == []  # ... but not in a hunt
