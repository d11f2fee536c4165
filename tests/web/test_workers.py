"""Worker processes: sessions spread over processes, the session limit and session-bound
requests (uploads) across them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from app.web.workers import Registry
from tests.live_server import start_app, stop_app

CSV = "a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60))


def test_the_session_limit_holds_across_processes(tmp_path):
    one, two = Registry(tmp_path, 3), Registry(tmp_path, 3)  # as two worker processes see it
    assert one.claim("a1") and two.claim("b1") and one.claim("a2")
    assert not two.claim("b2") and one.count() == two.count() == 3
    assert two.owner("a1") == one.socket_path and one.owner("b1") == two.socket_path
    one.release("a1")
    assert two.owner("a1") is None and two.claim("b2") and one.count() == 3


def test_a_slot_whose_record_cannot_be_written_goes_back(tmp_path, monkeypatch):
    registry = Registry(tmp_path, 2)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError):
        registry.claim("a1")
    monkeypatch.undo()
    assert registry.count() == 0 and registry.claim("b1") and registry.claim("b2")


def _hello(ws) -> dict:
    while True:
        msg = json.loads(ws.recv(timeout=60))
        if msg["type"] in ("hello", "error"):
            return msg


def _uploaded(ws) -> dict:
    """The dataset the session sent after an upload (the greeting's one is skipped)."""
    while True:
        msg = json.loads(ws.recv(timeout=60))
        if msg["type"] == "dataset" and msg["name"] == "custom":
            return msg


def _health(port: int) -> dict:
    return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()


@pytest.fixture(scope="module")
def two_workers():
    proc, port = start_app(env={**os.environ, "BP_MAX_SESSIONS": "6"}, workers=2)
    yield port
    err = stop_app(proc)
    assert "Traceback" not in err, err[-3000:]


def test_sessions_live_in_several_processes_and_uploads_reach_theirs(two_workers):
    port = two_workers
    sockets, hellos = [], []
    with contextlib.ExitStack() as stack:
        opened = lambda: stack.enter_context(connect(f"ws://127.0.0.1:{port}/ws"))  # noqa: E731
        # The kernel picks a process per connection at random (a hash of the ports): keep one
        # tab per process, closing a tab that lands where one is kept (1 in 32 runs would see
        # 6 tabs in a row land in one process).
        for _ in range(40):
            if len(hellos) == 2:
                break
            ws = opened()
            hello = _hello(ws)
            if hellos and hello["worker"] == hellos[0]["worker"]:
                ws.close()
                continue
            sockets.append(ws)
            hellos.append(hello)
        assert len({h["worker"] for h in hellos}) == 2, "every tab went to one process"
        deadline = time.monotonic() + 10  # a closed tab's session goes a moment later
        while (sessions := _health(port)["sessions"]) != len(
            sockets
        ) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sessions == len(sockets)  # counted across processes
        # Each upload is its own HTTP connection, to either process: all reach their session.
        for ws, hello in zip(sockets, hellos, strict=True):
            for _ in range(3):
                r = httpx.post(
                    f"http://127.0.0.1:{port}/api/sessions/{hello['session']}/upload",
                    files={"file": ("t.csv", CSV, "text/csv")},
                    timeout=60,
                )
                assert r.status_code == 200, r.text
                assert r.json()["n_features"] == 2
                assert _uploaded(ws)["n_train"] == r.json()["n_train"]
        while len(sockets) < 6:
            sockets.append(opened())
            assert _hello(sockets[-1])["type"] == "hello"
        refused = _hello(opened())
        assert refused["code"] == "server_full" and "6" in refused["message"]


def owner_pid(tmp, sid: str) -> int:
    """The PID of the worker process that owns session `sid` (hello names it by a tag only),
    from the run folder of a server started with TMPDIR=tmp: its record names the owner's
    socket, w-<pid>.sock."""
    (record,) = Path(tmp).glob(f"backprop-playground-*/run-*/s-{sid}")
    return int(re.fullmatch(r"w-(\d+)\.sock", Path(record.read_text()).name).group(1))


def test_a_worker_that_dies_is_replaced_and_its_sessions_are_gone_not_broken(short_tmp):
    tmp_path = short_tmp
    proc, port = start_app(env={**os.environ, "TMPDIR": str(tmp_path)}, workers=2)
    try:
        with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            hello = _hello(ws)
            pid = owner_pid(tmp_path, hello["session"])
            os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
            upload = f"http://127.0.0.1:{port}/api/sessions/{hello['session']}/upload"
            files = {"file": ("t.csv", CSV, "text/csv")}
            # Its session is gone: a clear 404 from whichever process answers, never a 500.
            _wait(lambda: httpx.post(upload, files=files, timeout=10).status_code == 404, proc)
            gone = httpx.post(upload, files=files, timeout=10).json()["error"]
            assert gone["code"] == "no_session" and gone["field"] == "session"
        _wait(lambda: _health(port)["workers"] == 2, proc)  # a new process took its place
        with contextlib.ExitStack() as stack:
            tabs = [stack.enter_context(connect(f"ws://127.0.0.1:{port}/ws")) for _ in range(6)]
            hellos = [_hello(ws) for ws in tabs]
            assert all(h["type"] == "hello" for h in hellos)
            assert hello["worker"] not in {h["worker"] for h in hellos}
            assert _health(port)["sessions"] == 6  # the dead one's slot was freed
    finally:
        err = stop_app(proc)
    assert f"worker process {pid} exited" in err and "Traceback" not in err, err


def _wait(ok, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if ok():
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None, "never happened"
        time.sleep(0.2)


def test_a_port_taken_by_another_program_is_named_and_the_server_exits_1():
    with socket.socket() as taken:  # another program's socket, without SO_REUSEPORT
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "app", "--port", str(port), "--workers", "2"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
