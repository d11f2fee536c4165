"""A class survives a restart of the whole server: its record is in the state folder, beside
the session checkpoints (app/web/class_records.py). A real `python -m app` is stopped with
SIGTERM and started again on the same state folder; the teacher page takes its class back
with its key, the students' tabs resume their runs and rejoin with the code."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import time
from types import SimpleNamespace

import pytest
import websockets

from app.web.class_records import ClassRecords
from app.web.class_socket import orphaned
from app.web.classroom import Classes, Classroom
from tests.live_server import start_app, stop_app
from tests.web.test_live import _next, reconnect, run_in_thread

NAMES = ("Mina", "Joon")


# A restarted server or worker takes its time to answer (its first import, its warm-up).
_until = functools.partial(_next, timeout=30)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_class_survives_a_restart_of_the_server(tmp_path, workers):
    env = {**os.environ, "BP_STATE_DIR": str(tmp_path)}
    proc, port = start_app(args=("--workers", workers), env=env)
    url = f"ws://127.0.0.1:{port}/ws"
    before = SimpleNamespace(code="", key="", sids={}, steps={})

    async def open_and_join():
        async with websockets.connect(f"{url}?teach=1&class=R3T7", max_size=None) as teacher:
            await _until(teacher, "hello")
            await teacher.send(json.dumps({"type": "class_open", "code": "R3T7", "title": "P4"}))
            opened = await _until(teacher, "class")
            before.code, before.key = opened["code"], opened["key"]
            key = before.key
            await teacher.send(
                json.dumps({"type": "class_push", "key": key, "config": {"learning_rate": 0.1}})
            )
            await _until(teacher, "class_pushed")
            await teacher.send(
                json.dumps({"type": "class_lock", "key": key, "fields": ["learning_rate"]})
            )
            await _until(teacher, "class_locked")
            students = []
            for name in NAMES:
                ws = await websockets.connect(f"{url}?class={before.code}", max_size=None)
                hello = await _until(ws, "hello")
                await ws.send(json.dumps({"type": "class_join", "code": before.code, "name": name}))
                await _until(ws, "class_joined")
                before.sids[name] = hello["session"]
                students.append((name, ws))
            await _until(teacher, "roster", lambda m: len(m["students"]) == 2)
            t0 = time.monotonic()
            while time.monotonic() - t0 < 3:  # the students train a while (they play at once)
                for name, ws in students:
                    before.steps[name] = (await _until(ws, "frame"))["step"]
            # Left open: the server's stop closes them, as a restart does to a class.

    try:
        run_in_thread(open_and_join)
        assert (tmp_path / "classes" / f"class-{before.code}.json").exists()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err[-3000:]
        proc, _ = start_app(args=("--workers", workers), env=env, port=port)

        async def come_back():
            code, key = before.code, before.key

            async def rejoin(name: str):  # as the page does: its session and its class
                sid = before.sids[name]
                ws = await reconnect(f"{url}?class={code}&session={sid}")
                hello = await _until(ws, "hello")
                assert hello["session"] == sid and hello["resumed"], hello
                assert hello["resumed"]["step"] > 0
                await ws.send(json.dumps({"type": "class_join", "code": code, "name": name}))
                joined = await _until(ws, "class_joined")
                assert (joined["title"], joined["locked"]) == ("P4", ["learning_rate"])
                return ws, hello["resumed"]["step"]

            # Both tabs at once, as after a restart: with two workers they may reach either,
            # and must still meet in one class.
            back = await asyncio.gather(*(rejoin(n) for n in NAMES))
            tabs = [ws for ws, _ in back]
            for (ws, resumed), name in zip(back, NAMES, strict=True):
                # a clean stop writes every session's last state: nothing seen is lost
                assert resumed >= before.steps[name] > 0, (resumed, before.steps)
                await ws.send(json.dumps({"type": "configure", "config": {"learning_rate": 1}}))
                assert (await _until(ws, "error"))["code"] == "locked"
            newcomer = await reconnect(f"{url}?class={code}")  # the join code still works
            tabs.append(newcomer)
            await _until(newcomer, "hello")
            await newcomer.send(json.dumps({"type": "class_join", "code": code, "name": "Ari"}))
            await _until(newcomer, "class_joined")
            async with await reconnect(f"{url}?teach=1&class={code}") as teacher:
                await _until(teacher, "hello")
                await teacher.send(json.dumps({"type": "class_open", "key": key}))
                again = await _until(teacher, "class")
                assert (again["code"], again["key"], again["title"]) == (code, key, "P4")
                assert again["locked"] == ["learning_rate"]
                assert again["pushed"] == {"learning_rate": 0.1}
                roster = await _until(teacher, "roster", lambda m: len(m["students"]) == 3)
                by_name = {s["name"]: s for s in roster["students"]}
                assert set(by_name) == {*NAMES, "Ari"}
                for name in NAMES:
                    assert by_name[name]["id"] == before.sids[name]
                    assert by_name[name]["step"] > 0
            for ws in tabs:
                await ws.close()

        run_in_thread(come_back)
    finally:
        err = stop_app(proc)
    assert "Traceback" not in err, err[-3000:]


def test_class_records_expire(tmp_path):
    """Like checkpoints, a record not written for ttl_s is gone: read (then removed) or
    swept; a young one stays."""
    records = ClassRecords(tmp_path / "classes", ttl_s=60)
    old, young = Classroom("K7Q2", "old"), Classroom("M4X9", "young")
    records.save(old)
    records.save(young)
    path = tmp_path / "classes" / "class-K7Q2.json"
    assert records.load("K7Q2")["title"] == "old"
    assert records.find_key(old.key)["code"] == "K7Q2"
    past = time.time() - 61
    os.utime(path, (past, past))
    assert records.find_key(old.key) is None and records.load("K7Q2") is None
    assert not path.exists()
    records.save(old)
    os.utime(path, (past, past))
    assert records.sweep() == 1 and not path.exists()
    assert records.load("M4X9")["title"] == "young"


def test_a_class_brought_back_without_its_teacher_closes_in_time(tmp_path, monkeypatch):
    """After a restart, students' tabs may bring a class back whose teacher page never
    returns: it closes ORPHAN_S later (its record too), as if its page had just gone."""
    monkeypatch.setattr("app.web.class_socket.ORPHAN_S", 0.2)
    records = ClassRecords(tmp_path, ttl_s=60)
    before = Classes(records=records)  # the server before its restart
    code = before.open("P5").code

    async def scenario():
        after = Classes(records=records, restored=orphaned)  # the new server
        cls = after.find(code)  # a student's tab rejoins
        assert after.by_code == {code: cls} and cls.key is None
        await asyncio.sleep(0.5)
        assert cls.closed and not after.by_code and records.load(code) is None

    run_in_thread(scenario)
