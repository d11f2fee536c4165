"""Shared fixtures: a real uvicorn server on a free loopback port (tests/live_server.py).

The web stack is imported only when a test asks for the server, so the engine's tests
(tests/nn, tests/data, tests/training) run without FastAPI or uvicorn installed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Starlette's TestClient sends "Host: testserver": the Host allow-list lets it in for tests.
os.environ.setdefault("BP_ALLOWED_HOSTS", "testserver")


@pytest.fixture(scope="session")
def live_server_obj() -> Iterator:
    from app.web.settings import Settings
    from tests.live_server import LiveServer

    with LiveServer(Settings(port=0)) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live_server_obj) -> str:
    """Base URL of a real uvicorn serving the app, e.g. http://127.0.0.1:54321."""
    return live_server_obj.url
