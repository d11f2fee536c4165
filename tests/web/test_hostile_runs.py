"""Bad run files over the socket and REST: `bad_run` naming the field, and the tab goes on
exactly as before (it still plays and streams); a zlib bomb costs a real server nothing."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from websockets.sync.client import connect

from tests.live_server import start_app, stop_app
from tests.run_files import bomb, saved_run
from tests.web.conftest import opened, until


def spoiled(path: str, value) -> dict:
    run = saved_run()
    *parents, last = path.split(".")
    d = run
    for p in parents:
        d = d[p]
    d[last] = value
    return run


BAD = [
    ("config.features", ["zz", "yy"]),
    ("optimizer.t", 10**400),
    ("counters.step", 10**4000),
    ("params.W1", bomb([2, 4], 16)),
]


@pytest.mark.parametrize("path, value", BAD, ids=[p for p, _ in BAD])
def test_a_bad_run_over_the_socket_leaves_the_tab_playing(client, path, value):
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        before = until(ws, "frame", lambda f: f["step"] > 5)
        ws.send_text(json.dumps({"type": "load", "run": spoiled(path, value)}))
        err = until(ws, "error")
        assert err["code"] == "bad_run" and err["field"] == path, err
        assert err["params"]["field"] == path
        later = until(ws, "frame", lambda f: f["step"] > before["step"] + 50)
        assert later["state"] == "running"  # the same run, on from where it was
        ws.send_json({"type": "pause"})
        paused = until(ws, "frame", lambda f: f["state"] == "paused")
        ws.send_json({"type": "play"})
        assert until(ws, "frame", lambda f: f["step"] > paused["step"])["state"] == "running"


def test_a_bad_run_over_http_is_400_bad_run_and_the_tab_streams_on(client):
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        before = until(ws, "frame", lambda f: f["step"] > 5)
        url = f"/api/sessions/{sid}/run"
        for path, value in BAD:
            content = json.dumps(spoiled(path, value))
            r = client.post(url, files={"file": ("run.json", content, "application/json")})
            assert r.status_code == 400, r.text
            assert r.json()["error"]["code"] == "bad_run"
            assert r.json()["error"]["field"] == path
        deep = "[" * 50_000 + "]" * 50_000
        r = client.post(url, files={"file": ("run.json", deep, "application/json")})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_run"
        assert until(ws, "frame", lambda f: f["step"] > before["step"] + 50)["state"] == "running"


def _peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_zlib_bomb_costs_a_real_server_nothing():
    """The issue's repro: a 2.8 MB run file inflating to 2 GiB, posted to a real server.
    Refused at once; the server's peak memory grows by less than 100 MiB."""
    content = json.dumps(spoiled("params.W1", bomb([2, 4], 2048)))
    assert 2_000_000 < len(content) < 4_000_000
    proc, port = start_app(args=("--workers", "1"))
    try:
        with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            while (hello := json.loads(ws.recv(timeout=60)))["type"] != "hello":
                pass
            peak = _peak_rss_mib(proc.pid)
            url = f"http://127.0.0.1:{port}/api/sessions/{hello['session']}/run"
            t0 = time.monotonic()
            r = httpx.post(url, files={"file": ("run.json", content)}, timeout=60)
            took = time.monotonic() - t0
            assert r.status_code == 400 and r.json()["error"]["field"] == "params.W1", r.text
            grew = _peak_rss_mib(proc.pid) - peak
            assert grew < 100, f"the server grew by {grew:.0f} MiB"
            assert took < 30
            ws.send(json.dumps({"type": "ping", "id": 7}))
            while json.loads(ws.recv(timeout=30))["type"] != "pong":
                pass
    finally:
        err = stop_app(proc)
    assert "Traceback" not in err, err[-3000:]
