"""One server per port, and no process or folder outlives it: a second start on a busy port
exits 1, the supervisor's death (kill -9) takes its workers with it, a start clears what a
killed server left, and a closed tab's slot is free within a second. Real servers, real
worker processes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.live_server import start_app, stop_app


def _start(tmp: Path, port: int = 0, workers: int = 2) -> tuple[subprocess.Popen, int]:
    """`python -m app` with its temp folder in `tmp`, once all its workers serve."""
    return start_app(env={**os.environ, "TMPDIR": str(tmp)}, port=port, workers=workers)


def _run_dirs(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("backprop-playground-*/run-*"))


def _worker_pids(run_dir: Path) -> set[int]:
    return {int(p.name[2:-5]) for p in run_dir.glob("w-*.sock")}


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.fixture(scope="module")
def served():
    tmp = Path(tempfile.mkdtemp(prefix="bp-", dir="/tmp"))  # short, as short_tmp (conftest)
    proc, port = _start(tmp)
    yield port, proc, tmp
    err = stop_app(proc)
    assert "Traceback" not in err, err[-3000:]
    assert not _run_dirs(tmp), "a clean stop leaves no run folder"
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_second_start_on_a_busy_port_exits_1_and_the_first_serves_on(served, workers):
    port, proc, _ = served
    done = subprocess.run(
        [sys.executable, "-m", "app", "--port", str(port), "--workers", str(workers)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()  # one clear line, no traceback
    assert f"cannot listen on 127.0.0.1:{port}" in line and "already running" in line
    assert proc.poll() is None
    assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()["ok"]


def _sessions(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()["sessions"]


def _no_session_within_a_second(port: int) -> None:
    """Call it as the last tab closes: the server counts no session within a second."""
    closed = time.monotonic()
    while _sessions(port) != 0:
        assert time.monotonic() - closed < 1.0, "the slot outlived its tab by a second"
        time.sleep(0.02)


def test_a_closed_tab_frees_its_slot_within_a_second(served):
    port, _, _ = served
    for _ in range(3):  # whichever process the tab lands in
        with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            while json.loads(ws.recv(timeout=60))["type"] != "frame":
                pass
            assert _sessions(port) == 1
        _no_session_within_a_second(port)


def test_a_tab_closed_while_its_heavy_change_runs_frees_its_slot_within_a_second(served):
    port, _, _ = served
    with connect(f"ws://127.0.0.1:{port}/ws", max_size=2**24) as ws:
        ws.send(json.dumps({"type": "configure", "config": HEAVY}))
        _heavy_running(ws)
        # A rebuild that waits for the heavy step under way, then builds a new heavy net:
        # the tab closes while the server is still handling it.
        ws.send(json.dumps({"type": "configure", "config": {"hidden_layers": [256] * 7}}))
    _no_session_within_a_second(port)


def test_hello_names_its_process_without_its_pid(served):
    port, proc, tmp = served
    (run_dir,) = _run_dirs(tmp)
    pids = {proc.pid, *_worker_pids(run_dir)}
    with connect(f"ws://127.0.0.1:{port}/ws") as ws:
        hello = json.loads(ws.recv(timeout=60))
    assert hello["type"] == "hello" and isinstance(hello["worker"], str)
    assert len(pids) == 3 and not any(str(p) in json.dumps(hello) for p in pids)


def test_the_supervisors_death_takes_its_workers_and_a_start_clears_its_folder(short_tmp):
    tmp_path = short_tmp
    proc, port = _start(tmp_path)
    (run_dir,) = _run_dirs(tmp_path)
    pids = _worker_pids(run_dir)
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    proc.send_signal(signal.SIGKILL)  # no clean-up of its own
    proc.wait()
    killed = time.monotonic()
    while any(_alive(p) for p in pids):
        assert time.monotonic() - killed < 5.0, "workers outlived their supervisor by 5 s"
        time.sleep(0.05)
    assert run_dir.exists()  # left behind, as a power cut would leave it
    time.sleep(2.5)  # older than a starting server's folder can be
    again, _ = _start(tmp_path, port)  # the port is free again, and the new start tidies up
    try:
        assert not run_dir.exists()
        assert len(_run_dirs(tmp_path)) == 1
    finally:
        stop_app(again)


def test_a_stop_is_not_hung_by_a_worker_that_does_not_stop(short_tmp):
    """SIGTERM stops the server even when a worker cannot answer it (here: frozen by
    SIGSTOP): it is killed STOP_GRACE_S later, the rest stop at once, the folder goes."""
    from app.web.cli import STOP_GRACE_S

    proc, _ = _start(short_tmp)
    (run_dir,) = _run_dirs(short_tmp)
    frozen, other = sorted(_worker_pids(run_dir))
    os.kill(frozen, signal.SIGSTOP)
    proc.terminate()
    err = proc.communicate(timeout=STOP_GRACE_S + 20)[1]
    assert proc.returncode == 0, err[-2000:]
    assert f"worker process {frozen} did not stop: killed" in err
    assert not _alive(frozen) and not _alive(other) and not run_dir.exists()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


HEAVY = {
    "dataset": "spiral",
    "n_samples": 5000,
    "hidden_layers": [256] * 8,
    "activation": "relu",
    "batch_size": 5000,
}


def _heavy_running(ws, after_step: int = 0) -> None:
    """Read until the tab's heavy run (its configure answered: rebuilt) trains past a step;
    the frames of the run before the change do not count."""
    while True:
        msg = json.loads(ws.recv(timeout=120))
        if msg["type"] == "status" and "changed" in msg:
            break
    while True:
        msg = json.loads(ws.recv(timeout=120))
        if msg["type"] == "frame" and msg["step"] > after_step and msg["state"] == "running":
            return


def test_memory_goes_back_after_heavy_tabs_close(short_tmp):
    proc, port = _start(short_tmp, workers=1)  # one process: the server's own RSS is it
    try:
        with connect(f"ws://127.0.0.1:{port}/ws") as ws:  # a light tab: the idle baseline
            while json.loads(ws.recv(timeout=60))["type"] != "frame":
                pass
        time.sleep(2)
        idle = _rss_mb(proc.pid)
        with contextlib.ExitStack() as stack:
            url = f"ws://127.0.0.1:{port}/ws"
            tabs = [stack.enter_context(connect(url, max_size=2**24)) for _ in range(4)]
            for ws in tabs:
                ws.send(json.dumps({"type": "configure", "config": HEAVY}))
            for ws in tabs:  # each has trained heavy steps (its buffers are all there)
                _heavy_running(ws, 1)
            busy = _rss_mb(proc.pid)
        closed = time.monotonic()
        while (now := _rss_mb(proc.pid)) > idle + 300:
            assert time.monotonic() - closed < 30, (
                f"idle {idle:.0f} MB, busy {busy:.0f}, now {now:.0f}"
            )
            time.sleep(0.5)
        assert busy > idle + 300, f"the heavy tabs took little memory: {idle:.0f} -> {busy:.0f}"
    finally:
        stop_app(proc)
