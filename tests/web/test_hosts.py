"""The Host allow-list: DNS rebinding (a foreign name resolving to 127.0.0.1) gets nowhere."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.web.app import create_app
from app.web.hosts import host_name
from app.web.settings import Settings


@pytest.fixture(scope="module")
def strict() -> TestClient:
    with TestClient(create_app(Settings(allowed_hosts=[])), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_loopback_names_are_served(strict):
    for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000"):
        assert strict.get("/api/health", headers={"host": host}).status_code == 200, host


def test_a_foreign_host_gets_the_apps_error(strict):
    r = strict.get("/", headers={"host": "evil.example:8000"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "host_not_allowed" and err["params"]["got"] == "evil.example:8000"
    assert "BP_ALLOWED_HOSTS" in err["message"]


def test_a_rebound_socket_is_closed_even_when_origin_and_host_agree(strict):
    headers = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}
    with (
        pytest.raises(WebSocketDisconnect) as e,
        strict.websocket_connect("/ws", headers=headers) as ws,
    ):
        ws.receive_json()
    assert e.value.code == 1008


def test_a_socket_from_localhost_gets_a_session(strict):
    headers = {"host": "localhost:8000", "origin": "http://localhost:8000"}
    with strict.websocket_connect("/ws", headers=headers) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_bp_allowed_hosts_adds_names(monkeypatch):
    monkeypatch.setenv("BP_ALLOWED_HOSTS", "lab.local, 10.0.0.5")
    settings = Settings()
    assert settings.allowed_hosts == ["lab.local", "10.0.0.5"]
    with TestClient(create_app(settings), base_url="http://lab.local") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"host": "other.local"}).status_code == 400


def test_the_bound_address_is_allowed_and_ports_are_ignored():
    settings = Settings(host="192.168.1.20", allowed_hosts=[])
    with TestClient(create_app(settings), base_url="http://192.168.1.20:9000") as c:
        assert c.get("/api/health").status_code == 200
    assert host_name("[::1]:80") == "::1" and host_name("Example.org:1") == "example.org"


def test_a_malformed_host_is_no_name_at_all(strict):
    for host in ("[::1]evil.example", "[::1", "::1", "a:b", "localhost:80x", "local host"):
        assert host_name(host) == "", host
        assert strict.get("/api/health", headers={"host": host}).status_code == 400, host
