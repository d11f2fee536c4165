"""A class with worker processes: the join code routes every socket of the class to the
process where the class lives (app/web/class_routing.py), whichever one the kernel picked."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
import websockets

from tests.live_server import start_app, stop_app
from tests.web.test_classroom import Tab
from tests.web.test_live import _next, reconnect, run_in_thread

N_STUDENTS = 10  # all landing in the class's own process by chance: 1 run in 1,024


TMP = Path(tempfile.mkdtemp(prefix="bp-", dir="/tmp"))  # short: workers' Unix sockets live there


def class_owner_pid(code: str) -> int:
    """The PID of the worker holding class `code` (hello names it by a tag only): its record
    in the server's run folder names the owner's socket, w-<pid>.sock."""
    (record,) = TMP.glob(f"backprop-playground-*/run-*/c-{code}")
    return int(re.fullmatch(r"w-(\d+)\.sock", Path(record.read_text()).name).group(1))


@pytest.fixture(scope="module")
def two_workers():
    env = {**os.environ, "BP_MAX_SESSIONS": "16", "TMPDIR": str(TMP)}
    proc, port = start_app(env=env, workers=2)
    yield port
    err = stop_app(proc)
    shutil.rmtree(TMP, ignore_errors=True)
    assert "Traceback" not in err, err[-3000:]


_until = functools.partial(_next, timeout=30)  # 2 processes, 10 tabs on 2 shared cores


def test_every_socket_of_a_class_reaches_its_process(two_workers):
    url = f"ws://127.0.0.1:{two_workers}/ws"

    async def scenario():
        # Without a class behind the code, the kernel spreads the sockets over both...
        spread = set()
        for _ in range(N_STUDENTS):
            async with websockets.connect(f"{url}?class=QQQQ") as ws:
                spread.add((await _until(ws, "hello"))["worker"])
        assert len(spread) == 2
        # ...with one, every socket of the class reaches the class's process.
        async with websockets.connect(f"{url}?teach=1&class=K7Q2") as teacher:
            owner = (await _until(teacher, "hello"))["worker"]
            await teacher.send(json.dumps({"type": "class_open", "code": "K7Q2"}))
            opened = await _until(teacher, "class")
            code, key = opened["code"], opened["key"]
            tabs, workers = [], []
            try:
                for i in range(N_STUDENTS):
                    ws = await websockets.connect(f"{url}?class={code}", max_size=None)
                    workers.append((await _until(ws, "hello"))["worker"])
                    await ws.send(json.dumps({"type": "class_join", "code": code, "name": f"S{i}"}))
                    await _until(ws, "class_joined")
                    tabs.append(Tab(ws))  # read all the time from now on, as a page does
                assert workers == [owner] * N_STUDENTS
                await teacher.send(
                    json.dumps({"type": "class_push", "key": key, "config": {"l2": 0.001}})
                )
                assert (await _until(teacher, "class_pushed"))["students"] == N_STUDENTS
                for tab in tabs:
                    await tab.next("status", lambda m: m["config"]["l2"] == 0.001, timeout=30)
                while True:
                    roster = await _until(teacher, "roster")
                    if len(roster["students"]) == N_STUDENTS:
                        break
            finally:
                for tab in tabs:
                    await tab.close()

    run_in_thread(scenario)


def test_a_class_survives_the_death_of_its_process(two_workers):
    """Its process killed, the class comes back where its tabs reconnect: the student first
    (by code), then the teacher page (by key), with its locks and pushed settings."""
    url = f"ws://127.0.0.1:{two_workers}/ws"

    async def scenario():
        async with websockets.connect(f"{url}?teach=1&class=M4X9") as teacher:
            owner = (await _until(teacher, "hello"))["worker"]
            await teacher.send(json.dumps({"type": "class_open", "code": "M4X9", "title": "P3"}))
            opened = await _until(teacher, "class")
            code, key = opened["code"], opened["key"]
            for msg in (
                {"type": "class_push", "key": key, "config": {"learning_rate": 0.1}},
                {"type": "class_lock", "key": key, "fields": ["learning_rate"]},
            ):
                await teacher.send(json.dumps(msg))
            await _until(teacher, "class_locked")
            os.kill(class_owner_pid(code), signal.SIGKILL)
            with pytest.raises(websockets.ConnectionClosed):
                await _until(teacher, "never")

        async with await reconnect(f"{url}?class={code}") as student:
            assert (await _until(student, "hello"))["worker"] != owner
            await student.send(json.dumps({"type": "class_join", "code": code, "name": "Mina"}))
            joined = await _until(student, "class_joined")
            assert joined["title"] == "P3" and joined["locked"] == ["learning_rate"]
            while (await _until(student, "status"))["config"]["learning_rate"] != 0.1:
                pass
            await student.send(json.dumps({"type": "configure", "config": {"learning_rate": 1}}))
            assert (await _until(student, "error"))["code"] == "locked"

            async with websockets.connect(f"{url}?teach=1&class={code}") as again:
                await _until(again, "hello")
                await again.send(json.dumps({"type": "class_open", "key": "0" * 32}))
                assert (await _until(again, "error"))["code"] == "forbidden"
                await again.send(json.dumps({"type": "class_open", "key": key}))
                back = await _until(again, "class")
                assert (back["code"], back["key"], back["locked"]) == (code, key, ["learning_rate"])
                while not (await _until(again, "roster"))["students"]:
                    pass

    run_in_thread(scenario)
