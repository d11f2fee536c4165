"""Durable sessions: checkpoints written atomically to the state folder, a tab that
reconnects with its session id gets its run back (pins and uploads too), checkpoints expire,
and a folder that refuses them leaves the session training without them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.sync.client import connect

from app.web.app import create_app
from app.web.checkpoints import Checkpointer, CheckpointStore, restore, snapshot
from app.web.settings import Settings
from app.web.workers import Registry
from tests.live_server import LiveServer
from tests.web.conftest import until
from tests.web.test_live import run_in_thread

CSV = "a,b,c,label\n" + "".join(f"{i % 7},{i % 5},{i % 3},{i % 2}\n" for i in range(80))


@contextlib.contextmanager
def served(state_dir, **settings) -> Iterator[Served]:
    """A real uvicorn (a TestClient would end an old socket's handler with its event loop)."""
    with LiveServer(Settings(port=0, frame_rate=60, state_dir=str(state_dir), **settings)) as s:
        yield Served(s)


class Served:
    def __init__(self, server: LiveServer):
        self.server = server

    def websocket_connect(self, path: str):
        return _Socket(connect(f"ws://127.0.0.1:{self.server.port}{path}"))

    def post(self, path: str, **kw):
        return httpx.post(self.server.url + path, timeout=30, **kw)


class _Socket:
    """websockets' sync client with the TestClient's receive_json / send_json."""

    def __init__(self, ws):
        self.ws = ws

    def __enter__(self):
        self.ws.__enter__()
        return self

    def __exit__(self, *exc):
        self.ws.close()

    def receive_json(self) -> dict:
        return json.loads(self.ws.recv(timeout=30))

    def send_json(self, msg: dict) -> None:
        self.ws.send(json.dumps(msg))


def app_client(state_dir, **settings):
    return served(state_dir, **settings)


def hello_of(ws) -> dict:
    return until(ws, "hello")


def test_a_reconnecting_tab_gets_its_run_back_with_pins_and_upload(tmp_path):
    with app_client(tmp_path) as client:
        with client.websocket_connect("/ws") as ws:
            hello = hello_of(ws)
            sid = hello["session"]
            assert hello["resumed"] is None
            r = client.post(f"/api/sessions/{sid}/upload", files={"file": ("d.csv", CSV)})
            assert r.status_code == 200, r.text
            until(ws, "dataset", lambda d: d["name"] != "xor")
            ws.send_json({"type": "configure", "config": {"learning_rate": 0.1}})
            ws.send_json({"type": "pause"})
            at = until(ws, "frame", lambda f: f["state"] == "paused")["step"]
            ws.send_json({"type": "step", "n": 37})
            until(ws, "frame", lambda f: f["state"] == "paused" and f["step"] == at + 37)
            ws.send_json({"type": "pin"})
            until(ws, "pins", lambda p: len(p["pins"]) == 1)
            ws.send_json({"type": "export", "format": "run"})
            before = json.loads(until(ws, "export")["content"])
        assert (tmp_path / f"{sid}.run.json").exists()
        with client.websocket_connect(f"/ws?session={sid}") as ws:
            hello = hello_of(ws)
            assert hello["session"] == sid and hello["resumed"] == {"step": at + 37}
            assert hello["config"]["learning_rate"] == 0.1
            assert len(until(ws, "dataset")["input_names"]) == 3  # the upload came back
            first = until(ws, "frame")
            assert first["step"] == at + 37 and first["state"] == "paused"
            assert len(until(ws, "pins")["pins"]) == 1
            ws.send_json({"type": "export", "format": "run"})
            after = json.loads(until(ws, "export")["content"])
            assert after["params"] == before["params"] and after["batches"] == before["batches"]
            ws.send_json({"type": "step", "n": 3})
            assert until(ws, "frame", lambda f: f["state"] == "paused")["step"] == at + 40


def test_an_unknown_or_open_session_gets_a_new_one(tmp_path):
    with app_client(tmp_path) as client:
        with client.websocket_connect("/ws?session=0123456789abcdef") as ws:
            assert hello_of(ws)["resumed"] is None
        with client.websocket_connect("/ws?session=../../etc/passwd") as ws:
            assert hello_of(ws)["resumed"] is None
        with client.websocket_connect("/ws") as a:
            sid = hello_of(a)["session"]
            until(a, "frame")
            with client.websocket_connect(f"/ws?session={sid}") as b:  # a duplicated tab
                other = hello_of(b)
                assert other["session"] != sid and other["resumed"] is None


def test_a_playing_run_checkpoints_every_two_seconds_and_resumes_playing(tmp_path):
    with app_client(tmp_path, checkpoint_every_s=0.5) as client:
        with client.websocket_connect("/ws") as ws:
            sid = hello_of(ws)["session"]
            path = tmp_path / f"{sid}.run.json"
            seen = set()
            deadline = time.monotonic() + 20
            while len(seen) < 3 and time.monotonic() < deadline:
                until(ws, "frame")
                if path.exists():
                    run = json.loads(path.read_text())
                    seen.add(run["counters"]["step"])
                    assert run["state"] == "running"
            assert len(seen) >= 3, "the checkpoint did not follow the training"
            assert not list(tmp_path.glob(".*.tmp"))
        with client.websocket_connect(f"/ws?session={sid}") as ws:
            resumed = hello_of(ws)["resumed"]["step"]
            assert resumed >= max(seen)
            assert until(ws, "frame", lambda f: f["step"] > resumed)["state"] == "running"


def test_an_unwritable_folder_is_said_once_and_the_session_trains_on(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with (
        app_client(blocker / "state", checkpoint_every_s=0.1) as client,
        client.websocket_connect("/ws") as ws,
    ):
        hello_of(ws)
        off = until(ws, "status", lambda s: s.get("code") == "checkpoints_off")
        assert off["params"]["reason"] and "no longer saved" in off["message"]
        codes = []
        start = until(ws, "frame")["step"]
        for _ in range(300):
            msg = ws.receive_json()
            codes.append(msg.get("code"))
            if msg["type"] == "frame" and msg["step"] > start + 200:
                break
        else:
            raise AssertionError("training stopped")
        assert "checkpoints_off" not in codes


def test_checkpoints_are_atomic_and_expire(tmp_path):
    store = CheckpointStore(tmp_path, ttl_s=60)
    from app.training.live.session import TrainingSession

    s = TrainingSession()
    s.advance(5)
    sid = "ab" * 8
    store.write(sid, snapshot(s, "paused"))
    store.write(sid, snapshot(s, "running"))
    assert [p.name for p in tmp_path.iterdir()] == [f"{sid}.run.json"]
    back, state = restore(store, sid)
    assert back.step == 5 and state == "running"
    old = time.time() - 120
    os.utime(store.path(sid), (old, old))
    assert restore(store, sid) is None and not store.path(sid).exists()
    store.write(sid, snapshot(s, "paused"))
    (tmp_path / ".cd.1.tmp").write_text("half")
    os.utime(tmp_path / ".cd.1.tmp", (old, old))
    os.utime(store.path(sid), (old, old))
    assert store.sweep() == 2 and not list(tmp_path.iterdir())
    store.write(sid, '{"format": "backprop-playground-run", "version": 1}')  # unusable
    assert restore(store, sid) is None and not store.path(sid).exists()
    with pytest.raises(ValueError):
        store.path("../x")


def test_a_failed_write_turns_checkpoints_off_once(tmp_path):
    told = []
    (tmp_path / "f").write_text("")
    store = CheckpointStore(tmp_path / "f" / "state", 60)

    made = []

    async def scenario():
        async def on_fail(reason):
            told.append(reason)

        c = Checkpointer(store, "cd" * 8, lambda: "{}", 0.0, on_fail)
        made.append(c)
        for _ in range(5):
            c.now()
            await asyncio.sleep(0.05)
        await c.flush()

    run_in_thread(scenario)  # the browser tests keep an event loop on the main thread
    (c,) = made
    assert c.off and len(told) == 1 and c.writes == 0


def test_a_failed_write_is_retried_with_a_growing_wait_until_the_folder_takes_it(tmp_path):
    """Issue 19's retry: the folder refuses (a file where it should be), the checkpointer
    waits 0.2 s, 0.4 s, then 0.8 s (the most) between attempts, asked or not; the folder
    writable again, the next attempt writes and says so once."""
    blocker = tmp_path / "f"
    blocker.write_text("")
    store = CheckpointStore(blocker / "state", 60)
    attempts: list[float] = []
    told: list[str] = []
    made = []

    def take() -> str:  # called by every attempt, just before the write
        attempts.append(time.monotonic())
        return json.dumps({"n": len(attempts)})

    async def scenario():
        async def on_fail(reason):
            told.append(f"off: {reason}")

        async def on_back():
            told.append("on")

        c = Checkpointer(store, "ab" * 8, take, 0.0, on_fail, on_back, retry_s=(0.2, 0.8))
        made.append(c)
        end = time.monotonic() + 2.7
        while time.monotonic() < end:  # training asks for a checkpoint after every slice
            c.maybe()
            await asyncio.sleep(0.01)
        failed = len(attempts)
        blocker.unlink()  # the teacher freed the disk
        while not c.writes and time.monotonic() < end + 3:
            c.maybe()
            await asyncio.sleep(0.01)
        assert len(attempts) - failed <= 1  # the retry (or one under way), not the asks
        for _ in range(3):  # back on: every ask writes again
            c.now()
            await c.flush()
        await c.close()
        c.now()  # closed: no more writes
        await asyncio.sleep(0.05)

    run_in_thread(scenario)
    (c,) = made
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    # 2.7 s of asks: attempts at 0, 0.2, 0.6, 1.4, 2.2 (then the one that wrote at 3.0)
    for gap, want in zip(gaps, (0.2, 0.4, 0.8, 0.8), strict=False):
        assert want * 0.95 <= gap <= want + 0.3, gaps  # late on a loaded machine, never early
    assert len(gaps) >= 4, gaps
    assert told == ["off: Not a directory", "on"]
    assert not c.off and c.fails == 0 and c.writes == 5
    assert json.loads(store.path("ab" * 8).read_text())["n"] == len(attempts)


def test_a_session_says_when_its_checkpoints_are_back(tmp_path, monkeypatch):
    """A real server: the state folder refuses, the tab is told `checkpoints_off` and trains
    on; the folder fixed, a retry writes and the tab is told `checkpoints_on`, once; the
    checkpoint then follows the training and a reconnect gets the run back."""
    monkeypatch.setattr("app.web.checkpoints.RETRY_S", (0.3, 0.6))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with app_client(blocker / "state", checkpoint_every_s=0.1) as client:
        with client.websocket_connect("/ws") as ws:
            sid = hello_of(ws)["session"]
            until(ws, "status", lambda s: s.get("code") == "checkpoints_off")
            blocker.unlink()
            back = until(ws, "status", lambda s: s.get("code") == "checkpoints_on")
            assert back["message"] and back["params"] == {}
            codes, steps = [], []
            while len(steps) < 60:
                msg = ws.receive_json()
                codes.append(msg.get("code"))
                if msg["type"] == "frame":
                    steps.append(msg["step"])
            assert "checkpoints_on" not in codes and "checkpoints_off" not in codes
            path = blocker / "state" / f"{sid}.run.json"
            assert json.loads(path.read_text())["counters"]["step"] > 0
        with client.websocket_connect(f"/ws?session={sid}") as ws:
            assert hello_of(ws)["resumed"]["step"] >= steps[-1]


def test_a_failed_session_record_gives_its_slot_back(tmp_path):
    """The issue's "full disk leaks session slots": the record cannot be written."""
    reg = Registry(tmp_path, 2)
    (tmp_path / "s-bad1").mkdir()  # writing the record fails, as on a full disk
    (tmp_path / "s-bad2").mkdir()
    for sid in ("bad1", "bad2", "bad1"):
        with pytest.raises(OSError):
            reg.claim(sid)
    assert reg.count() == 0 and reg.claim("good1") and reg.claim("good2")
    assert not reg.claim("good3") and reg.count() == 2


def test_settings_default_to_the_users_cache(monkeypatch):
    monkeypatch.delenv("BP_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    s = Settings()
    assert Path(s.state_dir) == Path("/somewhere/cache/backprop-playground")
    assert s.checkpoint_ttl_s == 24 * 3600 and s.checkpoint_every_s == 2.0
    monkeypatch.setenv("BP_STATE_DIR", "")
    with TestClient(create_app(Settings())) as client, client.websocket_connect("/ws") as ws:
        assert hello_of(ws)["resumed"] is None  # no folder: no checkpoints, all else as ever
