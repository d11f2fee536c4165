"""Hardening, against a real uvicorn: state-changing routes check Origin, Host is parsed
strictly, the API docs are off (Swagger UI would load from a CDN), hello names no PID."""

from __future__ import annotations

import json
import os

import httpx
from websockets.sync.client import connect

CSV = "a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60))


def _hello(ws) -> dict:
    hello = json.loads(ws.recv(timeout=60))
    assert hello["type"] == "hello"
    return hello


def test_a_post_from_another_site_is_refused_and_changes_nothing(live_server_obj):
    base, port = live_server_obj.url, live_server_obj.port
    with connect(live_server_obj.ws_url) as ws:
        hello = _hello(ws)
        for route in ("upload", "run"):
            r = httpx.post(
                f"{base}/api/sessions/{hello['session']}/{route}",
                files={"file": ("t.csv", CSV, "text/csv")},
                headers={"origin": "http://evil.example"},
                timeout=30,
            )
            assert r.status_code == 403, r.text
            err = r.json()["error"]
            assert err["code"] == "origin_not_allowed" and err["field"] == "origin"
            assert err["params"]["got"] == "http://evil.example"
        # The page's own origin is served: the upload lands in the session.
        r = httpx.post(
            f"{base}/api/sessions/{hello['session']}/upload",
            files={"file": ("t.csv", CSV, "text/csv")},
            headers={"origin": f"http://127.0.0.1:{port}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        names = []
        while "custom" not in names:
            msg = json.loads(ws.recv(timeout=60))
            if msg["type"] == "dataset":
                names.append(msg["name"])
        assert names == ["xor", "custom"]  # the refused posts sent no dataset


def test_a_host_header_is_parsed_strictly(live_server_obj):
    base, port = live_server_obj.url, live_server_obj.port
    for host in ("[::1]evil.example", "[::1]evil.example:80", "127.0.0.1:80:80", "127.0.0.1 x"):
        r = httpx.get(f"{base}/api/health", headers={"host": host}, timeout=10)
        assert r.status_code == 400, host
        assert r.json()["error"]["code"] == "host_not_allowed"
    for host in (f"127.0.0.1:{port}", "localhost", f"[::1]:{port}"):
        assert httpx.get(f"{base}/api/health", headers={"host": host}, timeout=10).is_success


def test_api_docs_are_off_and_the_schema_stays(live_server):
    assert httpx.get(f"{live_server}/api/docs", timeout=10).status_code == 404
    assert httpx.get(f"{live_server}/redoc", timeout=10).status_code == 404
    assert "/api/sessions/{session_id}/upload" in httpx.get(f"{live_server}/openapi.json").text


def test_hello_says_no_pid(live_server_obj):
    with connect(live_server_obj.ws_url) as ws:
        hello = _hello(ws)
    assert str(os.getpid()) not in json.dumps(hello)  # the server runs in this process
