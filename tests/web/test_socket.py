"""The WebSocket protocol through Starlette's TestClient."""

from __future__ import annotations

import json

from tests.web.conftest import opened, until


def test_hello_brings_session_config_and_catalogue(client):
    with client.websocket_connect("/ws") as ws:
        hello = opened(ws)
        assert len(hello["session"]) == 16
        assert hello["config"]["dataset"] == "xor" and hello["config"]["hidden_layers"] == [4, 4]
        lr = hello["catalogue"]["fields"]["learning_rate"]
        assert (lr["min"], lr["max"], lr["log"]) == (1e-5, 10, True)
        assert hello["catalogue"]["limits"]["message_bytes"] == 64 * 1024


def test_default_session_trains_at_once(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        first = until(ws, "frame", lambda f: f["step"] > 0)
        later = until(ws, "frame", lambda f: f["step"] >= first["step"] + 100)
        assert later["state"] == "running" and later["epoch"] > first["epoch"]
        assert later["boundary"] is not None


def test_a_linked_session_waits_for_its_settings_and_play(client):
    """`?start=paused` (a page opened by a link with settings): the run the link describes
    starts at step 0, not after the default config has trained for a while."""
    with client.websocket_connect("/ws?start=paused") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"stop_at": {"epochs": 2}}})
        status = until(ws, "status", lambda s: "changed" in s)
        assert status["state"] == "paused" and status["step"] == 0
        ws.send_json({"type": "play"})
        stopped = until(ws, "status", lambda s: s.get("code") == "stopped")
        assert stopped["params"]["epoch"] == 2.0


def test_step_advances_exactly_n_steps(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "pause"})
        paused = until(ws, "frame", lambda f: f["state"] == "paused")
        ws.send_json({"type": "step", "n": 7})
        stepped = until(ws, "frame")
        assert stepped["step"] == paused["step"] + 7
        assert stepped["examples"] == paused["examples"] + 70


def test_learning_rate_changes_live_without_reset(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        before = until(ws, "frame", lambda f: f["step"] > 50)
        ws.send_json({"type": "configure", "config": {"learning_rate": 0.3}})
        status = until(ws, "status", lambda s: "changed" in s)
        assert status["rebuilt"] is False and status["changed"] == ["learning_rate"]
        assert status["code"] == "changed" and status["params"] == {"changed": ["learning_rate"]}
        after = until(ws, "frame", lambda f: f["learning_rate"] == 0.3)
        assert after["step"] > before["step"] and after["state"] == "running"


def test_structural_change_sends_dataset_and_a_step_zero_frame(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        until(ws, "frame", lambda f: f["step"] > 10)
        ws.send_json(
            {
                "type": "configure",
                "config": {"dataset": "blobs", "classes": 4, "hidden_layers": [8]},
            }
        )
        data = until(ws, "dataset")
        assert data["name"] == "blobs" and data["n_classes"] == 4
        status = until(ws, "status")
        assert status["rebuilt"] is True and "Rebuilt" in status["message"]
        frame = until(ws, "frame")
        assert frame["step"] == 0 and frame["layers"][0]["fan_out"] == 8


def test_bad_messages_get_errors_and_the_session_keeps_running(client):
    cases = [
        ("{not json", "invalid_json", None),
        (json.dumps({"type": "fly"}), "unknown_type", "type"),
        (json.dumps({"type": "step", "n": 0}), "out_of_range", "n"),
        (json.dumps({"type": "step", "n": "many"}), "wrong_type", "n"),
        (
            json.dumps({"type": "configure", "config": {"learning_rate": 50}}),
            "out_of_range",
            "learning_rate",
        ),
        (json.dumps({"type": "configure", "config": {"colour": "red"}}), "unknown_field", "colour"),
        (
            json.dumps({"type": "configure", "config": {"hidden_layers": [300]}}),
            "out_of_range",
            "hidden_layers",
        ),
        (json.dumps({"type": "predict", "image": [0.5] * 10}), "out_of_range", "image"),
        (json.dumps({"type": "trace", "example": 99999}), "out_of_range", "example"),
        (json.dumps([1, 2]), "invalid_value", "type"),
        ("x" * (70 * 1024), "too_large", None),
        ("[" * 1000 + "]" * 1000, "invalid_json", None),
        ('{"type":"step","n":' + "9" * 4301 + "}", "invalid_json", None),
        (
            json.dumps({"type": "configure", "config": {"learning_rate": "1"}}),
            "wrong_type",
            "learning_rate",
        ),
        (json.dumps({"type": "configure", "config": {"noise": True}}), "wrong_type", "noise"),
        ('{"type":"configure","config":{"l2":NaN}}', "not_finite", "l2"),
        ('{"type":"predict","point":[NaN,0]}', "not_finite", "point"),
        (json.dumps({"type": "predict", "point": [1e308, 0]}), "out_of_range", "point"),
        (b"\xff\xfe\x00", "invalid_json", None),
    ]
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        for frame, code, field in cases:
            if isinstance(frame, bytes):
                ws.send_bytes(frame)
            else:
                ws.send_text(frame)
            err = until(ws, "error")
            assert (err["code"], err["field"]) == (code, field), (frame[:40], err)
            assert err["message"] and isinstance(err["params"], dict)
        ws.send_json({"type": "play"})
        frame = until(ws, "frame", lambda f: f["state"] == "running")
        assert frame["step"] > 0


def test_out_of_range_error_names_the_allowed_range(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "configure", "config": {"batch_size": 0}})
        err = until(ws, "error")
        assert err["message"] == "batch_size must be between 1 and 5000; got 0"
        assert err["params"] == {"min": 1, "max": 5000, "got": 0}


def test_ping_is_answered_with_its_id(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "ping", "id": 42})
        assert until(ws, "pong")["id"] == 42


def test_divergence_pauses_and_reset_recovers(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json(
            {
                "type": "configure",
                "config": {
                    "activation": "linear",
                    "loss": "mse",
                    "hidden_layers": [8, 8],
                    "learning_rate": 10,
                    "batch_size": 250,
                    "speed": 50,
                },
            }
        )
        status = until(ws, "status", lambda s: s["state"] == "diverged")
        assert "learning rate" in status["message"] and status["step"] > 0
        assert status["code"] == "diverged" and status["params"]["step"] > 0
        frame = until(ws, "frame", lambda f: f["state"] == "diverged")
        assert frame["train"]["loss"] is None  # inf/NaN arrive as null: the JSON stays valid
        ws.send_json({"type": "configure", "config": {"learning_rate": 0.001}})
        ws.send_json({"type": "reset"})
        reset = until(ws, "status", lambda s: s.get("message", "").startswith("Reset"))
        assert reset["code"] == "reset"
        ws.send_json({"type": "step", "n": 3})
        frame = until(ws, "frame", lambda f: f["state"] == "paused" and f["step"] == 3)
        assert frame["train"]["loss"] is not None


def test_predict_a_probed_point(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "predict", "point": [2.0, -2.0]})
        p = until(ws, "prediction")
        assert len(p["probs"]) == 2 and p["class"] in (0, 1)


def test_trace_pauses_a_running_session_and_says_so(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        until(ws, "frame", lambda f: f["step"] > 5)
        ws.send_json({"type": "trace"})
        trace = until(ws, "trace")
        assert len(trace["layers"]) == 3 and trace["batch_size"] == 10
        status = until(ws, "status", lambda s: s["message"] != "")
        assert status["state"] == "paused" and "trace" in status["message"].lower()
        ws.send_json({"type": "gradcheck", "param": "W1", "index": [0, 1]})
        check = until(ws, "gradcheck")
        assert check["rel_error"] < 1e-4  # float32 session, checked in float64


def test_add_a_point_by_clicking(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "add_point", "x": 1.5, "y": 1.5, "label": 1})
        data = until(ws, "dataset")
        assert data["n_train"] == 251 and data["name"] == "custom"


def test_session_cap_closes_the_next_connection_with_a_reason():
    from fastapi.testclient import TestClient

    from app.web.app import create_app
    from app.web.settings import Settings

    with TestClient(create_app(Settings(max_sessions=1))) as c, c.websocket_connect("/ws") as first:
        opened(first)
        with c.websocket_connect("/ws") as second:
            err = second.receive_json()
            assert err["code"] == "server_full" and "1 sessions at most" in err["message"]


def test_foreign_origin_is_refused(client):
    from starlette.websockets import WebSocketDisconnect

    try:
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()
        raise AssertionError("a foreign origin was accepted")
    except WebSocketDisconnect as e:
        assert e.code == 1008
