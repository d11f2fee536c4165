"""Take the run home over the socket: the script export continues the tab's run."""

from __future__ import annotations

import pytest

from tests.training.test_script_export import run_script
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
