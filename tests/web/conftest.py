"""A TestClient per module and a helper to read a stream until the message wanted."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.settings import Settings


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temp folder with a short path, for a server's TMPDIR: its workers' Unix sockets
    live there, and a socket's path holds 107 bytes at most (pytest's tmp_path is longer)."""
    path = Path(tempfile.mkdtemp(prefix="bp-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(frame_rate=60))) as c:
        yield c


def until(
    ws, kind: str, where: Callable[[dict], bool] = lambda m: True, limit: int = 2000
) -> dict[str, Any]:
    """The next message of `kind` satisfying `where`, skipping the rest of the stream."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind and where(msg):
            return msg
    raise AssertionError(f"no {kind} message in {limit}")


def opened(ws) -> dict[str, Any]:
    """Read the greeting (hello, dataset, status, first frame); returns hello."""
    hello = ws.receive_json()
    assert hello["type"] == "hello"
    assert ws.receive_json()["type"] == "dataset"
    return hello
