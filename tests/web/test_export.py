"""Take the run home over the socket: the script export continues the tab's run."""

from __future__ import annotations

import json

import pytest

from tests.training.takehome.test_script_export import run_script
from tests.web.conftest import opened, until


def test_exported_script_continues_the_tab_exactly(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"dataset": "moons", "optimizer": "adam"}})
        until(ws, "frame", lambda f: f["step"] > 40)
        ws.send_json({"type": "pause"})
        paused = until(ws, "frame", lambda f: f["state"] == "paused")
        ws.send_json({"type": "export", "format": "script"})
        export = until(ws, "export")
        assert export["format"] == "script" and export["step"] == paused["step"]
        assert export["filename"].endswith(".py") and "moons" in export["filename"]
        path = tmp_path / export["filename"]
        path.write_text(export["content"])
        assert run_script(path, 0)[:2] == (
            paused["step"],
            pytest.approx(paused["train"]["loss"], rel=1e-5),
        )
        ws.send_json({"type": "step", "n": 25})
        later = until(ws, "frame", lambda f: f["step"] == paused["step"] + 25)
        step, loss, accuracy = run_script(path, 25)
        assert step == later["step"] and loss == pytest.approx(later["train"]["loss"], rel=1e-5)
        assert accuracy == pytest.approx(later["train"]["accuracy"])


def test_unknown_export_format_is_a_clear_error_and_the_run_goes_on(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "export", "format": "pdf"})
        err = until(ws, "error")
        assert err["field"] == "format" and "script" in err["message"]
        until(ws, "frame", lambda f: f["step"] > 20 and f["state"] == "running")


def paused_at(ws) -> dict:
    ws.send_json({"type": "pause"})
    return until(ws, "frame", lambda f: f["state"] == "paused")


def test_a_saved_run_opens_in_another_tab_and_steps_the_same(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        opened(a)
        opened(b)
        a.send_json({"type": "configure", "config": {"dataset": "moons", "optimizer": "adam"}})
        for _ in range(3):  # a few frames: the history holds one row per frame
            until(a, "frame", lambda f: f["step"] > 30)
        saved_frame = paused_at(a)
        a.send_json({"type": "export", "format": "run"})
        export = until(a, "export")
        assert export["filename"].endswith(".json") and export["step"] == saved_frame["step"]
        run = json.loads(export["content"])

        until(b, "frame", lambda f: f["step"] > 5)
        b.send_json({"type": "load", "run": run})
        status = until(b, "status", lambda s: "rebuilt" in s)
        assert status["rebuilt"] is True and status["config"]["dataset"] == "moons"
        assert status["state"] == "paused" and "step" in status["message"]
        # the run's curves come with it, for the page to draw: the file's history, whole
        assert status["code"] == "opened" and status["history"] == run["history"]
        assert len(status["history"]["step"]) >= 3
        loaded = until(b, "frame")
        assert loaded["step"] == saved_frame["step"]
        assert loaded["train"] == saved_frame["train"]

        for ws in (a, b):
            ws.send_json({"type": "step", "n": 60})
        fa = until(a, "frame", lambda f: f["step"] == saved_frame["step"] + 60)
        fb = until(b, "frame", lambda f: f["step"] == saved_frame["step"] + 60)
        assert fa["train"] == fb["train"] and fa["test"] == fb["test"]


def test_a_foreign_run_is_refused_and_nothing_changes(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        before = paused_at(ws)
        ws.send_json({"type": "load", "run": {"format": "tf-playground", "x": 1}})
        err = until(ws, "error")
        assert err["code"] == "bad_run" and err["field"] == "format"
        assert "not a Backprop Playground run" in err["message"]
        ws.send_json({"type": "step", "n": 1})
        assert until(ws, "frame")["step"] == before["step"] + 1


def test_history_csv_has_the_curves(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        until(ws, "frame", lambda f: f["step"] >= 150)  # three frames at the default speed
        last = paused_at(ws)
        ws.send_json({"type": "export", "format": "history"})
        export = until(ws, "export")
        lines = export["content"].strip().splitlines()
        assert lines[0] == (
            "step,epoch,train_loss,train_accuracy,test_loss,test_accuracy,"
            "grad_norm_1,grad_norm_2,grad_norm_3"
        )
        rows = [line.split(",") for line in lines[1:]]
        steps = [int(r[0]) for r in rows]
        assert steps == sorted(steps) and steps[-1] == last["step"] and len(rows) > 2
        assert float(rows[-1][2]) == pytest.approx(last["train"]["loss"])


def test_a_large_run_file_opens_over_http(client):
    with client.websocket_connect("/ws") as ws:
        hello = opened(ws)
        ws.send_json({"type": "configure", "config": {"dataset": "mnist", "hidden_layers": [64]}})
        until(ws, "frame", lambda f: f["step"] > 3)
        saved_frame = paused_at(ws)
        ws.send_json({"type": "export", "format": "run"})
        content = until(ws, "export")["content"]
        assert len(content) > 64 * 1024  # too big for one socket message
        ws.send_json({"type": "reset"})
        until(ws, "frame", lambda f: f["step"] == 0)
        url = f"/api/sessions/{hello['session']}/run"
        r = client.post(url, files={"file": ("run.json", content, "application/json")})
        assert r.status_code == 200 and r.json()["step"] == saved_frame["step"]
        assert until(ws, "frame")["train"] == saved_frame["train"]
        bad = client.post(url, files={"file": ("run.json", b"{not json", "application/json")})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_run"


def test_an_exported_script_stops_where_the_tab_stops(client, tmp_path):
    # The tab's run and its script, both from step 30, stop at the same step with the same loss.
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        paused_at(ws)
        ws.send_json({"type": "reset"})
        until(ws, "frame", lambda f: f["step"] == 0)
        ws.send_json({"type": "configure", "config": {"stop_at": {"accuracy": 0.9}}})
        ws.send_json({"type": "step", "n": 30})
        until(ws, "frame", lambda f: f["step"] == 30)
        ws.send_json({"type": "export", "format": "script"})
        path = tmp_path / "run.py"
        path.write_text(until(ws, "export")["content"])
        ws.send_json({"type": "play"})
        stop = until(ws, "status", lambda m: m.get("code") == "stopped")
        frame = until(ws, "frame", lambda f: f["state"] == "paused")
    at = stop["params"]["step"]
    assert stop["params"]["reason"] == "accuracy" and frame["step"] == at
    step, loss, accuracy = run_script(path, 5000)
    assert step == at and loss == pytest.approx(frame["train"]["loss"], rel=1e-5)
    assert accuracy == pytest.approx(frame["train"]["accuracy"]) and accuracy >= 0.9
