"""The `hidden` message: subscribe to a hidden layer's space, refused layers, unsubscribe."""

from __future__ import annotations

from tests.web.conftest import opened, until


def test_hidden_subscription_brings_the_hidden_space_and_null_stops_it(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "pause"})
        until(ws, "frame", lambda f: f["state"] == "paused")
        ws.send_json({"type": "hidden", "layer": 2})
        frame = until(ws, "frame", lambda f: f["hidden"] is not None)
        h = frame["hidden"]
        assert h["layer"] == 2 and h["width"] == 4 and h["mode"] == "pca"
        assert len(h["points"]["coords"]) == 2 and len(h["lines"]) == 2
        ws.send_json({"type": "hidden", "layer": None})
        assert until(ws, "frame")["hidden"] is None


def test_a_layer_the_net_lacks_is_an_error_naming_layer(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "hidden", "layer": 3})
        err = until(ws, "error")
        assert err["field"] == "layer" and "between 1 and 2" in err["message"]
        ws.send_json({"type": "hidden", "layer": 0})
        err = until(ws, "error")
        assert err["field"] == "layer"
        assert until(ws, "frame", lambda f: f["step"] > 5)["state"] == "running"
