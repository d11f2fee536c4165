"""Shared fixtures: a real uvicorn server on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from app.web.app import create_app
from app.web.settings import Settings

# Starlette's TestClient sends "Host: testserver": the Host allow-list lets it in for tests.
os.environ.setdefault("BP_ALLOWED_HOSTS", "testserver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn in a background thread; `url` is its http base address."""

    def __init__(self, settings: Settings):
        self.port = settings.port or free_port()
        settings = settings.model_copy(update={"port": self.port})
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_max_size=settings.transport_bytes,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server_obj() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live_server_obj: LiveServer) -> str:
    """Base URL of a real uvicorn serving the app, e.g. http://127.0.0.1:54321."""
    return live_server_obj.url
