"""`view`: frames carry only what the page shows, and no plane it draws itself."""

from __future__ import annotations

from tests.web.conftest import opened, until


def running(ws, where=lambda f: True) -> dict:
    return until(ws, "frame", lambda f: f["state"] == "running" and where(f))


def test_a_page_that_draws_the_plane_gets_weights_and_no_grids(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        assert running(ws)["plane_by"] == "server"
        ws.send_json({"type": "view", "plane": "page", "grads": False, "hists": False})
        f = running(ws, lambda f: f["plane_by"] == "page")
        assert f["boundary"] is None and f["neurons"] is None
        assert all(len(layer["W"]) == layer["fan_in"] for layer in f["layers"])
        assert all(layer["dW"] is None and layer["hist"] is None for layer in f["layers"])
        ws.send_json({"type": "view", "grads": True})  # the rest stays as it was
        f = running(ws, lambda f: f["layers"][0]["dW"] is not None)
        assert f["plane_by"] == "page" and f["layers"][0]["hist"] is None


def test_a_socket_opened_with_plane_page_gets_small_frames_from_the_first(client):
    # The page's early socket (static/js/early.js) asks in its URL: even the step-0 frame
    # and the first trained ones carry no grids.
    with client.websocket_connect("/ws?plane=page") as ws:
        opened(ws)
        first = until(ws, "frame")
        assert first["step"] == 0 and first["plane_by"] == "page"
        assert first["boundary"] is None and first["neurons"] is None
        assert running(ws, lambda f: f["step"] > 0)["boundary"] is None
    with client.websocket_connect("/ws?plane=gpu") as ws:  # anything else: as before
        opened(ws)
        assert until(ws, "frame")["plane_by"] == "server"


def test_a_network_wider_than_the_diagram_keeps_server_grids(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "view", "plane": "page"})
        ws.send_json({"type": "configure", "config": {"hidden_layers": [32, 4]}})
        until(ws, "status", lambda s: s.get("rebuilt"))
        f = running(ws, lambda f: f["layers"][0]["fan_out"] == 32)
        assert f["plane_by"] == "server"
        ws.send_json({"type": "configure", "config": {"hidden_layers": [8, 8]}})
        f = running(ws, lambda f: f["layers"][0]["fan_out"] == 8)
        assert f["plane_by"] == "page" and f["boundary"] is None


def test_paused_a_changed_view_sends_a_frame_with_the_parts_now_shown(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "view", "plane": "page", "hists": False})
        ws.send_json({"type": "pause"})
        until(ws, "frame", lambda f: f["state"] == "paused")
        ws.send_json({"type": "view", "hists": True, "plane": "server"})
        f = until(ws, "frame", lambda f: f["state"] == "paused")
        assert f["layers"][0]["hist"] is not None and f["boundary"]["resolution"] == 100


def test_a_bad_view_names_the_field(client):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "view", "plane": "gpu"})
        error = until(ws, "error")
        assert error["field"] == "plane" and "page" in error["message"]
