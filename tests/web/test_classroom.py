"""Teacher mode against a real uvicorn: a teacher page's socket and 30 student tabs."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from app.training.teaching.lessons import lesson_config
from app.training.teaching.lessons import lessons as all_lessons
from app.web.classroom import ALPHABET, Classes, is_code, normalize
from app.web.settings import Settings
from tests.live_server import LiveServer
from tests.web.test_live import _next, run_in_thread

N_STUDENTS = 30


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(port=0, max_sessions=40, class_size=31)) as s:
        yield s


class Tab:
    """A student tab that reads its socket all the time, as a page does: non-frame messages
    are queued with the time they arrived; frames are only counted."""

    def __init__(self, ws):
        self.ws, self.sid = ws, None
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.frames = 0
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        async for raw in self.ws:
            if raw.startswith('{"type":"frame"'):
                self.frames += 1
            else:
                self.inbox.put_nowait((time.monotonic(), json.loads(raw)))

    async def next(self, kind: str, where=lambda m: True, timeout: float = 10.0):
        """(arrival time, message) of the next `kind` meeting `where`."""
        deadline = time.monotonic() + timeout
        while True:
            at, msg = await asyncio.wait_for(self.inbox.get(), deadline - time.monotonic())
            if msg["type"] == kind and where(msg):
                return at, msg

    async def send(self, msg: dict) -> None:
        await self.ws.send(json.dumps(msg))

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def _open(url: str, title: str = "Period 3"):
    teacher = await websockets.connect(url + "?teach=1", max_size=None)
    hello = await _next(teacher, "hello")
    assert hello["role"] == "teacher" and "session" not in hello
    await teacher.send(json.dumps({"type": "class_open", "title": title}))
    return teacher, await _next(teacher, "class")


async def _join(url: str, code: str, name: str):
    ws = await websockets.connect(f"{url}?class={code}", max_size=None)
    sid = (await _next(ws, "hello"))["session"]
    await ws.send(json.dumps({"type": "class_join", "code": code.lower(), "name": name}))
    joined = await _next(ws, "class_joined")
    assert joined["student"] == sid and joined["name"] == name
    return ws, sid


def test_codes_have_no_look_alikes_and_typing_is_forgiven():
    assert not set("0O1IL2Z5S8B") & set(ALPHABET) - set("25")
    classes = Classes()
    codes = {classes.open("x").code for _ in range(200)}
    assert len(codes) == 200 and all(is_code(c) and len(c) == 4 for c in codes)
    assert normalize(" k7q-2 ") == "K7Q2"


def test_a_class_of_thirty(server):
    async def scenario():
        teacher, opened = await _open(server.ws_url)
        code, key = opened["code"], opened["key"]
        assert is_code(code) and len(key) >= 32 and opened["title"] == "Period 3"
        students = []
        for i in range(N_STUDENTS):
            students.append(await _join(server.ws_url, code, f"Student {i:02d}"))
        tabs = [Tab(ws) for ws, _ in students]
        try:
            # The roster: every student, about once a second, ≤ 2 KB a student.
            roster = await _next(teacher, "roster", lambda r: len(r["students"]) == N_STUDENTS)
            assert {s["id"] for s in roster["students"]} == {sid for _, sid in students}
            one = roster["students"][0]
            assert set(one) >= {
                "id",
                "name",
                "step",
                "epoch",
                "train",
                "test",
                "state",
                "stuck",
                "config_diff",
                "boundary",
            }
            assert one["boundary"]["res"] == 16 and one["config_diff"] == {}
            t0 = time.monotonic()
            later = await _next(teacher, "roster", lambda r: len(r["students"]) == N_STUDENTS)
            size = len(json.dumps(later, separators=(",", ":")))
            per_second = size / N_STUDENTS / max(1.0, time.monotonic() - t0)
            print(f"roster: {size} bytes for {N_STUDENTS} students, {per_second:.0f} B/s each")
            assert size / N_STUDENTS <= 2048
            assert max(s["step"] for s in later["students"]) > 0

            # Push: every student's session gets it, as if they had set it, within 1 s.
            push = {"learning_rate": 0.3, "batch_size": 5}
            await teacher.send(json.dumps({"type": "class_push", "key": key, "config": push}))
            t0 = time.monotonic()

            async def arrival(tab):
                at, _ = await tab.next("status", lambda m: m["config"]["learning_rate"] == 0.3)
                return at - t0

            delays = await asyncio.gather(*(arrival(tab) for tab in tabs))
            print(f"push -> status: median {sorted(delays)[15]:.3f} s, max {max(delays):.3f} s")
            assert max(delays) < 1.0
            ack = await _next(teacher, "class_pushed")
            assert ack["students"] == N_STUDENTS and ack["failed"] == []

            # Lock: a student's configure of a locked key is refused with `locked`.
            await teacher.send(
                json.dumps({"type": "class_lock", "key": key, "fields": ["learning_rate"]})
            )
            for tab in tabs:
                assert (await tab.next("class_locked"))[1]["fields"] == ["learning_rate"]
            tab0 = tabs[0]
            await tab0.send({"type": "configure", "config": {"learning_rate": 3}})
            err = (await tab0.next("error"))[1]
            assert err["code"] == "locked" and err["field"] == "learning_rate"
            await tab0.send({"type": "configure", "config": {"batch_size": 7}})
            assert (await tab0.next("status"))[1]["config"]["batch_size"] == 7  # others: free
            later = await _next(teacher, "roster", lambda r: len(r["students"]) == N_STUDENTS)
            diffs = {s["id"]: s["config_diff"] for s in later["students"]}
            assert diffs[students[0][1]] == {"batch_size": 7}
            assert diffs[students[1][1]] == {}

            # A student forging teacher messages is refused, with or without the key.
            for forged in (key, "0" * 32):
                await tab0.send(
                    {"type": "class_push", "key": forged, "config": {"learning_rate": 9}}
                )
                assert (await tab0.next("error"))[1]["code"] == "forbidden"
            await tab0.send({"type": "class_unlock", "key": key})
            assert (await tab0.next("error"))[1]["code"] == "forbidden"
            intruder, _ = await _open(server.ws_url, "Not yours")
            await intruder.send(
                json.dumps({"type": "class_lock", "key": "f" * 32, "fields": ["dataset"]})
            )
            assert (await _next(intruder, "error"))["code"] == "forbidden"
            await intruder.close()
            await tab0.send({"type": "configure", "config": {"learning_rate": 3}})
            assert (await tab0.next("error"))[1]["code"] == "locked"  # still locked

            # Unlock: free again.
            await teacher.send(json.dumps({"type": "class_unlock", "key": key}))
            assert (await tab0.next("class_locked"))[1]["fields"] == []
            await tab0.send({"type": "configure", "config": {"learning_rate": 0.1}})
            assert (await tab0.next("status"))[1]["config"]["learning_rate"] == 0.1
            assert min(tab.frames for tab in tabs) > 0

            # A tab that closes leaves the class.
            await tabs[-1].close()
            smaller = await _next(teacher, "roster", lambda r: len(r["students"]) < N_STUDENTS)
            assert len(smaller["students"]) == N_STUDENTS - 1
        finally:
            for tab in tabs:
                await tab.close()
            await teacher.close()

    run_in_thread(scenario)


def test_join_refusals_and_a_latecomer_gets_the_push(server):
    async def scenario():
        teacher, opened = await _open(server.ws_url)
        code, key = opened["code"], opened["key"]
        ws = await websockets.connect(server.ws_url)
        await _next(ws, "hello")
        await ws.send(json.dumps({"type": "class_join", "code": "QQQQQQ", "name": "Mina"}))
        err = await _next(ws, "error")
        assert err["field"] == "code" and err["code"] == "no_class"
        await teacher.send(
            json.dumps({"type": "class_push", "key": key, "config": {"learning_rate": 99}})
        )
        err = await _next(teacher, "error")
        assert err["field"] == "learning_rate" and err["code"] == "out_of_range"
        await teacher.send(
            json.dumps({"type": "class_push", "key": key, "config": {"activation": "sigmoid"}})
        )
        await _next(teacher, "class_pushed")
        await ws.send(json.dumps({"type": "class_join", "code": code, "name": "Mina"}))
        await _next(ws, "class_joined")
        status = await _next(ws, "status", lambda m: m["config"]["activation"] == "sigmoid")
        assert status["rebuilt"]
        await ws.close()
        await teacher.close()

    run_in_thread(scenario)


def test_locks_hold_for_a_run_file_and_an_upload(server):
    """A student may not get past a lock by opening a saved run that brings another value of
    a locked key, nor by uploading a CSV when the dataset is locked; a run that keeps the
    locked values opens."""
    from app.training.live.config import TrainingConfig
    from app.training.live.session import TrainingSession
    from app.training.takehome.runfile import save_run

    relu = save_run(TrainingSession(TrainingConfig(activation="relu")))
    same = save_run(TrainingSession(TrainingConfig(learning_rate=0.1)))  # tanh, the default

    async def scenario():
        teacher, opened = await _open(server.ws_url)
        key = opened["key"]
        ws, sid = await _join(server.ws_url, opened["code"], "Ana")
        fields = ["activation", "dataset"]
        await teacher.send(json.dumps({"type": "class_lock", "key": key, "fields": fields}))
        await _next(ws, "class_locked")
        await ws.send(json.dumps({"type": "load", "run": relu}))
        err = await _next(ws, "error")
        assert err["code"] == "locked" and err["field"] == "activation"
        r = await asyncio.to_thread(
            httpx.post,
            f"{server.url}/api/sessions/{sid}/upload",
            files={"file": ("d.csv", b"x1,x2,label\n0,1,0\n1,0,1\n1,1,0\n0,0,1\n")},
            timeout=30,
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "locked" and r.json()["error"]["field"] == "dataset"
        await ws.send(json.dumps({"type": "configure", "config": {"speed": 1}}))
        status = await _next(ws, "status", lambda m: m.get("config", {}).get("speed") == 1)
        assert status["config"]["activation"] == "tanh" and status["config"]["dataset"] == "xor"
        await ws.send(json.dumps({"type": "load", "run": same}))  # keeps the locked values
        status = await _next(
            ws, "status", lambda m: m.get("config", {}).get("learning_rate") == 0.1
        )
        assert status["config"]["activation"] == "tanh"
        await ws.close()
        await teacher.close()

    run_in_thread(scenario)


def test_a_class_is_full_at_its_size():
    with LiveServer(Settings(port=0, class_size=2)) as small:

        async def scenario():
            teacher, opened = await _open(small.ws_url)
            a, _ = await _join(small.ws_url, opened["code"], "A")
            b, _ = await _join(small.ws_url, opened["code"], "B")
            c = await websockets.connect(small.ws_url)
            await _next(c, "hello")
            await c.send(json.dumps({"type": "class_join", "code": opened["code"]}))
            err = await _next(c, "error")
            assert err["code"] == "class_full" and err["params"]["max"] == 2
            for ws in (a, b, c, teacher):
                await ws.close()

        run_in_thread(scenario)


def test_lesson_spotlight_and_close(server):
    async def scenario():
        teacher, opened = await _open(server.ws_url)
        code, key = opened["code"], opened["key"]
        (a, sid_a), (b, _) = [await _join(server.ws_url, code, n) for n in ("Mina", "Joon")]
        a, b = Tab(a), Tab(b)  # pages read their sockets all the time
        send = lambda m: teacher.send(json.dumps({**m, "key": key}))  # noqa: E731
        await send({"type": "class_lesson", "lesson": "no-such-lesson"})
        assert (await _next(teacher, "error"))["field"] == "lesson"
        # A stuck run is flagged in the roster with the stuck detector's code.
        await b.send(
            {
                "type": "configure",
                "config": {"activation": "relu", "learning_rate": 3, "init": "he_normal"},
            }
        )
        flagged = await _next(
            teacher,
            "roster",
            lambda r: any(s["stuck"] == "dead_layer" for s in r["students"]),
            timeout=40,
        )
        stuck = [s for s in flagged["students"] if s["stuck"]]
        assert [s["name"] for s in stuck] == ["Joon"]
        assert stuck[0]["config_diff"] == {
            "activation": "relu",
            "learning_rate": 3,
            "init": "he_normal",
        }

        # A lesson: its settings reach each session (past locks) before the page is told.
        lessons = all_lessons()
        want = lesson_config(lessons[0]).model_dump()
        await send({"type": "class_lesson", "lesson": lessons[0]["id"]})
        for ws in (a, b):
            await ws.next("status", lambda m: m["config"] == want)
            assert (await ws.next("class_lesson"))[1]["lesson"] == lessons[0]["id"]

        # The spotlight: the student's own frames on a read-only socket.
        await send({"type": "class_spotlight", "student": sid_a})
        spot = await _next(teacher, "spotlight")
        assert spot["student"] == sid_a and spot["name"] == "Mina"
        bad = await websockets.connect(f"{server.ws_url}?class={code}&watch=nope")
        assert (await _next(bad, "error"))["code"] == "forbidden"
        await bad.close()
        watch = await websockets.connect(f"{server.ws_url}?class={code}&watch={spot['watch']}")
        hello = await _next(watch, "hello")
        assert hello["role"] == "watch" and hello["session"] == sid_a
        await a.send({"type": "configure", "config": {"learning_rate": 0.5}})
        await _next(watch, "status", lambda m: m["config"]["learning_rate"] == 0.5)
        f1 = await _next(watch, "frame")
        f2 = await _next(watch, "frame", lambda f: f["step"] > f1["step"])
        assert f2["learning_rate"] == 0.5
        await watch.send(json.dumps({"type": "configure", "config": {"learning_rate": 9}}))
        assert (await _next(watch, "error"))["code"] == "forbidden"
        await send({"type": "class_spotlight", "student": None})
        await _next(teacher, "spotlight", lambda m: m["student"] is None)
        with pytest.raises(websockets.ConnectionClosed):
            await _next(watch, "never")

        # Close: students are told, their locks go.
        await send({"type": "class_lock", "fields": ["learning_rate"]})
        await a.next("class_locked")
        await send({"type": "class_close"})
        await _next(teacher, "class_closed")
        for ws in (a, b):
            await ws.next("class_closed")
        await a.send({"type": "configure", "config": {"learning_rate": 0.2}})
        assert (await a.next("status"))[1]["config"]["learning_rate"] == 0.2
        await send({"type": "class_push", "config": {"learning_rate": 0.3}})
        assert (await _next(teacher, "error"))["code"] == "forbidden"  # the class is gone
        for ws in (a, b, teacher):
            await ws.close()  # (a Tab or a socket)

    run_in_thread(scenario)


def test_a_reloaded_teacher_page_takes_its_class_back(server):
    async def scenario():
        teacher, opened = await _open(server.ws_url)
        a, sid = await _join(server.ws_url, opened["code"], "Mina")
        await teacher.close()
        again = await websockets.connect(server.ws_url + "?teach=1")
        await _next(again, "hello")
        await again.send(json.dumps({"type": "class_open", "key": opened["key"]}))
        back = await _next(again, "class")
        assert back["code"] == opened["code"] and back["key"] == opened["key"]
        roster = await _next(again, "roster")
        assert [s["id"] for s in roster["students"]] == [sid]
        await a.close()
        await again.close()

    run_in_thread(scenario)
