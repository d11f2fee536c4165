"""Uploads: the limit holds while the body streams in; data that cannot train is refused
naming its column; every refusal has the app's error shape."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import websockets

from tests.web.conftest import opened, until
from tests.web.test_live import _next, run_in_thread

MB = 1024 * 1024


def upload(client, sid: str, text: str, **form):
    return client.post(
        f"/api/sessions/{sid}/upload", files={"file": ("d.csv", text, "text/csv")}, data=form
    )


def test_huge_finite_values_are_refused_naming_the_column(client):
    rows = "\n".join(f"{i},{1e308 if i % 2 else -1e308},{i % 2}" for i in range(40))
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        r = upload(client, sid, f"a,big,label\n{rows}\n")
        assert r.status_code == 400
        err = r.json()["error"]
        assert err["code"] == "bad_data" and err["field"] == "column 'big'"
        assert err["params"]["column"] == "big" and "standardized" in err["message"]
        ws.send_json({"type": "step", "n": 2})
        frame = until(ws, "frame", lambda f: f["state"] == "paused")
        assert frame["train"]["loss"] is not None  # still the XOR session, training


def test_a_bad_cell_error_carries_its_row_and_column(client):
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        r = upload(client, sid, "a,b,label\n1,2,0\n3,oops,1\n4,5,0\n6,7,1\n")
        assert r.json()["error"]["params"] == {"row": 3, "column": "b", "got": "oops"}


def test_an_unknown_label_column_is_refused_by_name(client):
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        r = upload(client, sid, "a,b,label\n1,2,0\n3,4,1\n4,5,0\n6,7,1\n", label_column="nope")
        err = r.json()["error"]
        assert r.status_code == 400 and err["field"] == "label_column" and "nope" in err["message"]


def test_an_oversized_body_is_refused_while_it_streams(live_server_obj):
    """50 MB sent in chunks, no Content-Length: the answer comes once the limit is passed and
    the connection closes; the rest is never read, and the session goes on."""
    sent = 0

    def body():
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(50):
            sent += MB
            yield b"1" * MB

    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            sid = (await _next(ws, "hello"))["session"]
            r = await asyncio.to_thread(
                httpx.post,
                f"{live_server_obj.url}/api/sessions/{sid}/upload",
                content=body(),
                headers={"content-type": "multipart/form-data; boundary=b"},
                timeout=30,
            )
            assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
            assert r.json()["error"]["params"]["max"] == 5 * MB
            await ws.send(json.dumps({"type": "ping", "id": 3}))
            assert (await _next(ws, "pong"))["id"] == 3

    run_in_thread(scenario)
    assert sent < 50 * MB


def test_a_declared_oversized_upload_to_an_open_session_gets_413(live_server_obj):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url) as ws:
            sid = (await _next(ws, "hello"))["session"]
            head = await asyncio.to_thread(_post_headers_only, live_server_obj.port, sid)
            assert head.startswith("HTTP/1.1 413") and '"too_large"' in head, head

    run_in_thread(scenario)


def _post_headers_only(port: int, sid: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST /api/sessions/{sid}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            "Content-Length: 52428800\r\n\r\n".encode()
        )
        data = b""
        while b'"too_large"' not in data and b"}}" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.decode()
