"""Regression over the WebSocket and the upload route: dataset, frames with r2 and curve."""

from __future__ import annotations

from tests.web.conftest import opened, until


def test_switching_to_a_function_streams_its_curve(client):
    with client.websocket_connect("/ws") as ws:
        hello = opened(ws)
        preset = hello["catalogue"]["presets"]["1d"]
        ws.send_json({"type": "configure", "config": {"dataset": "sine", **preset}})
        data = until(ws, "dataset")
        assert data["kind"] == "1d" and data["task"] == "regression"
        frame = until(ws, "frame", lambda f: f["step"] > 100 and f["curve"] is not None)
        assert frame["train"]["r2"] is not None and frame["train"]["accuracy"] is None
        assert len(frame["curve"]["units"]) == preset["hidden_layers"][0]


def test_a_class_loss_on_regression_data_is_an_error_and_the_run_goes_on(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"dataset": "plane"}})
        err = until(ws, "error")
        assert err["field"] == "loss" and "mse" in err["message"]
        frame = until(ws, "frame", lambda f: f["step"] > 20)
        assert frame["train"]["accuracy"] is not None  # still the XOR run


def test_uploading_a_real_target_makes_a_regression_session(client):
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        rows = "\n".join(f"{i / 5},{i % 7},{i * 0.37:.2f}" for i in range(60))
        res = client.post(
            f"/api/sessions/{session}/upload",
            files={"file": ("d.csv", f"a,b,price\n{rows}\n", "text/csv")},
        )
        assert res.status_code == 200 and res.json()["task"] == "regression"
        data = until(ws, "dataset", lambda d: d["name"] == "custom")
        assert data["task"] == "regression" and data["target_name"] == "price"
        frame = until(ws, "frame", lambda f: f["boundary"] is not None)
        assert frame["boundary"]["value"] is not None


def test_upload_task_is_checked(client):
    with client.websocket_connect("/ws") as ws:
        session = opened(ws)["session"]
        res = client.post(
            f"/api/sessions/{session}/upload",
            files={"file": ("d.csv", "a,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n", "text/csv")},
            data={"task": "regression"},
        )
        assert res.status_code == 400
        assert res.json()["error"]["field"] == "column 'y'"
