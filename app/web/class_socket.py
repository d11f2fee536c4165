"""Teacher mode on the wire: the teacher page's socket (`/ws?teach=1`), a student's
`class_join`, and the spotlight's read-only socket (`/ws?class=<code>&watch=<token>`).

The teacher's socket has no training session of its own: it opens (or reopens) a class,
gets a `roster` about once a second, and leads the students' sessions, which are the
ordinary SessionRunners of their tabs. docs/protocol.md, "Teacher mode", lists the messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from typing import Any

from fastapi import WebSocket
from pydantic import ValidationError

from app.errors import ClientError, got
from app.training.frames.encode import json_safe
from app.training.live.config import TrainingConfig, explain
from app.training.teaching.lessons import lesson, lesson_config, lessons
from app.web import class_messages as cm
from app.web import messages
from app.web.classroom import Classes, Classroom
from app.web.errors import error_message
from app.web.roster import entries, roster

ROSTER_S = 1.0  # a roster a second
ORPHAN_S = 1800.0  # a class without its teacher page this long is closed
MAX_CLASSES = 64  # classes open in one process
WATCHED = frozenset({"dataset", "frame", "status", "pins", "trace", "stuck"})
PUSH_WAIT_S = 0.5  # the teacher's answer to a push waits this long for the students at most
WATCH_BACKLOG = 4  # frames queued for a slow spotlight page before newer ones are dropped
KEEP_S = 600.0  # a led class rewrites its record this often (records expire after a day)


def _dumps(msg: dict[str, Any]) -> str:
    try:
        return json.dumps(msg, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(json_safe(msg), separators=(",", ":"))


# -- the teacher's socket ---------------------------------------------------------------------


class Teacher:
    """One teacher page's socket: which class it leads, and its roster loop."""

    def __init__(self, ws: WebSocket, classes: Classes):
        self.ws = ws
        self.classes = classes
        self.cls: Classroom | None = None
        self._lock = asyncio.Lock()
        self._roster: asyncio.Task | None = None

    async def send(self, msg: dict[str, Any]) -> None:
        async with self._lock:
            with contextlib.suppress(Exception):
                await self.ws.send_text(_dumps(msg))

    def _attach(self, cls: Classroom) -> None:
        self.cls = cls
        cls.teacher = self.send
        if self._roster is None or self._roster.done():
            self._roster = asyncio.create_task(self._roster_loop())

    async def _roster_loop(self) -> None:
        loop = asyncio.get_running_loop()
        due = kept = loop.time()
        while self.cls is not None and not self.cls.closed and self.cls.teacher == self.send:
            msg = roster(self.cls)  # who is in the class now, taken on the event loop
            await self.send(await asyncio.to_thread(entries, msg, self.cls.baseline()))
            if loop.time() - kept >= KEEP_S:  # a class in use: its record does not expire
                kept = loop.time()
                self.classes.saved(self.cls)
            due = max(due + ROSTER_S, loop.time())  # a steady second, whatever it took
            await asyncio.sleep(due - loop.time())

    def detach(self) -> None:
        if self._roster is not None:
            self._roster.cancel()
        cls = self.cls
        if cls is not None and cls.teacher == self.send:
            cls.teacher = None
            asyncio.get_running_loop().call_later(ORPHAN_S, _expire, self.classes, cls)

    async def handle(self, msg: Any) -> None:
        try:
            await getattr(self, f"on_{msg.type}", self.on_other)(msg)
        except ClientError as e:
            await self.send(error_message(e))

    async def on_other(self, msg: Any) -> None:
        raise ClientError(
            "type",
            f"a teacher page's socket takes class messages only; got {msg.type!r}",
            "invalid_choice",
            {"allowed": sorted(cm.CLASS_MODELS), "got": msg.type},
        )

    async def on_class_join(self, msg: cm.ClassJoin) -> None:
        await self.on_other(msg)

    def _class(self, key: str, what: str) -> Classroom:
        cls = self.classes.by_key(key, what)
        if cls is not self.cls:
            self._attach(cls)
        return cls

    async def on_class_open(self, msg: cm.ClassOpen) -> None:
        if msg.key:  # a reloaded teacher page takes its class back
            cls = self._class(msg.key, "class_open")
        else:
            if len(self.classes.by_code) >= MAX_CLASSES:
                raise ClientError(
                    None,
                    f"this server has {MAX_CLASSES} classes open; close one first",
                    "server_full",
                    {"max": MAX_CLASSES},
                )
            cls = self.classes.open(msg.title, msg.code)
            self._attach(cls)
        await self.send(cls.opened())

    async def on_class_push(self, msg: cm.ClassPush) -> None:
        cls = self._class(msg.key, "class_push")
        try:  # checked once, before any student's session changes
            TrainingConfig.model_validate({**cls.baseline(), **msg.config})
        except ValidationError as e:
            raise explain(e) from None
        cls.pushed.update(msg.config)
        self.classes.saved(cls)
        students = list(cls.students.values())
        tasks = [_spawn(_push(s.runner, msg.config)) for s in students]
        if tasks:  # a tab on a slow link must not hold the answer (nor the others) up
            await asyncio.wait(tasks, timeout=PUSH_WAIT_S)
        failed = [
            s.runner.id for s, t in zip(students, tasks, strict=True) if t.done() and not t.result()
        ]
        await self.send(
            {
                "type": "class_pushed",
                "config": msg.config,
                "students": len(students),
                "failed": failed,
            }
        )

    async def on_class_lock(self, msg: cm.ClassLock) -> None:
        cls = self._class(msg.key, "class_lock")
        cls.locked.update(_config_keys(msg.fields))
        self.classes.saved(cls)
        await self._locks(cls)

    async def on_class_unlock(self, msg: cm.ClassUnlock) -> None:
        cls = self._class(msg.key, "class_unlock")
        if msg.fields is None:
            cls.locked.clear()
        else:
            cls.locked.difference_update(_config_keys(msg.fields))
        self.classes.saved(cls)
        await self._locks(cls)

    async def _locks(self, cls: Classroom) -> None:
        note = {"type": "class_locked", "fields": sorted(cls.locked)}
        await _tell_students(cls, note)
        await self.send(note)

    async def on_class_lesson(self, msg: cm.ClassLesson) -> None:
        cls = self._class(msg.key, "class_lesson")
        ids = [x["id"] for x in lessons()]
        if msg.lesson is not None and msg.lesson not in ids:
            raise ClientError(
                "lesson",
                f"lesson must be one of {', '.join(ids)}; got {got(msg.lesson)!r}",
                "invalid_choice",
                {"allowed": ids, "got": got(msg.lesson)},
            )
        note = {"type": "class_lesson", "lesson": msg.lesson}
        # The lesson's settings go in first, past the locks, as a push: the page that then
        # starts the lesson sends values its session already has, which no lock refuses.
        # They become the class's settings (latecomers get them; config_diff is from them).
        config = lesson_config(lesson(msg.lesson)).model_dump() if msg.lesson else None
        cls.lesson = msg.lesson
        cls.pushed.update(config or {})
        self.classes.saved(cls)
        for st in list(cls.students.values()):
            _spawn(_then_tell(st.runner, config, note))
        await self.send(note)

    async def on_class_spotlight(self, msg: cm.ClassSpotlight) -> None:
        cls = self._class(msg.key, "class_spotlight")
        if msg.student is not None and msg.student not in cls.students:
            raise ClientError(
                "student",
                f"no student {got(msg.student)!r} in class {cls.code}",
                "not_found",
                {"got": got(msg.student)},
            )
        cls.spotlight = msg.student
        cls.watch_token = secrets.token_urlsafe(16) if msg.student else None
        name = cls.students[msg.student].name if msg.student else None
        await self.send(
            {"type": "spotlight", "student": msg.student, "name": name, "watch": cls.watch_token}
        )

    async def on_class_close(self, msg: cm.ClassClose) -> None:
        cls = self._class(msg.key, "class_close")
        await _tell_students(cls, {"type": "class_closed", "code": cls.code})
        self.classes.close(cls)
        self.cls = None
        await self.send({"type": "class_closed", "code": cls.code})


def orphaned(classes: Classes, cls: Classroom) -> None:
    """A class brought back from its record (its process died, the server restarted) has no
    teacher page yet: closed if none comes within ORPHAN_S, as if its page had just gone."""
    asyncio.get_running_loop().call_later(ORPHAN_S, _expire, classes, cls)


def _expire(classes: Classes, cls: Classroom) -> None:
    """ORPHAN_S after its teacher page went, a class still without one is closed."""
    if cls.teacher is None and not cls.closed:
        for st in cls.students.values():
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().create_task(
                    st.runner.send({"type": "class_closed", "code": cls.code})
                )
        classes.close(cls)


def _config_keys(fields: list[str]) -> set[str]:
    allowed = list(TrainingConfig.model_fields)
    for i, f in enumerate(fields):
        if f not in allowed:
            raise ClientError(
                "fields",
                f"fields[{i}] must be a config key ({', '.join(allowed)}); got {got(f)!r}",
                "invalid_choice",
                {"allowed": allowed, "got": got(f), "index": i},
            )
    return set(fields)


async def _push(runner: Any, config: dict[str, Any]) -> bool:
    """Apply the teacher's config to one student's session, past the locks; a refusal (say
    a batch size above their own data's size) goes to the student as their error."""
    try:
        await runner.configure(config)
        return True
    except ClientError as e:
        await runner.error(e)
        return False


async def _then_tell(runner: Any, config: dict[str, Any] | None, note: dict[str, Any]) -> None:
    if config is not None:
        await _push(runner, config)
    await runner.send(note)


async def _tell_students(cls: Classroom, msg: dict[str, Any]) -> None:
    """Send to every student, without waiting for tabs on slow links."""
    for s in list(cls.students.values()):
        _spawn(s.runner.send(msg))


_TASKS: set[asyncio.Task] = set()  # sends under way (asyncio keeps only weak references)


def _spawn(coro) -> asyncio.Task:
    task = asyncio.get_running_loop().create_task(coro)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


async def teacher_socket(ws: WebSocket, hello: dict[str, Any]) -> None:
    """The teacher page's socket, after accept: hello, then class messages until it closes."""
    settings = ws.app.state.settings
    teacher = Teacher(ws, ws.app.state.classes)
    await teacher.send({**hello, "role": "teacher"})
    try:
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                break
            frame = event.get("text")
            try:
                msg = messages.parse(
                    frame if frame is not None else event.get("bytes") or b"",
                    settings.max_message_bytes,
                )
            except ClientError as e:
                await teacher.send(error_message(e))
                continue
            await teacher.handle(msg)
    finally:
        teacher.detach()


# -- students ---------------------------------------------------------------------------------


async def student_message(app, runner: Any, msg: Any) -> None:
    """A class message on a student's socket: `class_join`, or a forged teacher message."""
    classes: Classes = app.state.classes
    if msg.type != "class_join":
        raise ClientError(
            "key",
            f"{msg.type} is the teacher's: only the teacher page (/teach) that opened the "
            "class may send it",
            "forbidden",
        )
    cls = classes.find(msg.code)
    old = classes.of_student(runner.id)
    if old is not None and old is not cls:
        old.remove(runner.id)
    cls.add(runner, msg.name)
    await runner.send(cls.joined(runner.id))
    if cls.pushed:  # a latecomer gets what the class was told
        await _push(runner, cls.pushed)


def leave(app, sid: str) -> None:
    """A student's tab closed: their seat goes with their session."""
    cls = app.state.classes.of_student(sid)
    if cls is not None:
        cls.remove(sid)


# -- the spotlight ----------------------------------------------------------------------------


async def watch_socket(ws: WebSocket, code: str, token: str, hello: dict[str, Any]) -> None:
    """A read-only view of the spotlit student's session (the teacher page shows it in a
    frame): what their tab gets, nothing it may send. Ends when the spotlight moves."""
    cls = ws.app.state.classes.by_code.get(code)
    ok = cls is not None and cls.watch_token and secrets.compare_digest(token, cls.watch_token)
    student = cls.students.get(cls.spotlight or "") if ok else None
    if student is None:
        err = ClientError("watch", "this spotlight is over or was never opened", "forbidden")
        await ws.send_text(_dumps(error_message(err)))
        await ws.close(code=1008, reason="spotlight over")
        return
    runner = student.runner
    queue: asyncio.Queue[str] = asyncio.Queue()

    def watch(text: str, kind: str) -> None:
        if kind in WATCHED and not (kind == "frame" and queue.qsize() >= WATCH_BACKLOG):
            queue.put_nowait(text)

    def first() -> list[dict[str, Any]]:
        s = runner.session
        return [s.dataset_message(), runner._status_msg(), runner.last_frame or s.frame("paused")]

    async def pump() -> None:
        while cls.watch_token == token and not runner.closed:
            try:
                text = await asyncio.wait_for(queue.get(), 0.5)
            except asyncio.TimeoutError:
                continue
            await ws.send_text(text)

    async def refuse() -> None:
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                return
            err = ClientError(None, "a spotlight is read-only", "forbidden")
            await ws.send_text(_dumps(error_message(err)))

    # Watch first, then the snapshot: nothing the student's tab gets in between is missed.
    runner.watchers.add(watch)
    tasks: list[asyncio.Task] = []
    try:
        hello = {**hello, "role": "watch", "session": runner.id, "student": student.name}
        await ws.send_text(_dumps({**hello, "config": runner.session.config.model_dump()}))
        for msg in await runner._locked(first):
            await ws.send_text(_dumps(msg))
        tasks = [asyncio.create_task(pump()), asyncio.create_task(refuse())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except Exception:
        pass  # the teacher's page went away: nothing to clean up beyond the watch
    finally:
        runner.watchers.discard(watch)
        for t in tasks:
            t.cancel()
        with contextlib.suppress(Exception):
            await ws.close()
