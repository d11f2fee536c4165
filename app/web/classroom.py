"""A teacher's class: a join code, a teacher key, the students' sessions and what the teacher
set for them (pushed config, locked keys, the lesson under way).

A class lives in one process, with its students' sessions (app/web/class_routing.py sends
every socket that carries its code there). The students are the ordinary SessionRunners of
their tabs; the class only holds them and tells them what the teacher did. Transport (the
teacher's socket, the roster loop) is in app/web/class_socket.py.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.errors import ClientError, got
from app.training.live.config import TrainingConfig

# Join codes: no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B), so a code read off a projector
# is typed right. 27 signs: 531,441 codes of 4, then 5 and 6 when a process has many.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY2345679"
CODE_LENGTHS = (4, 5, 6)
MAX_STUDENTS = 60
SPARK_POINTS = 40  # test-loss points of a student's sparkline (one a roster)

Send = Callable[[dict[str, Any]], Awaitable[None]]


def normalize(code: str) -> str:
    """What a person typed -> a code: case, spaces and dashes do not matter."""
    return "".join(c for c in code.upper() if c not in " -_\t")


def is_code(code: str) -> bool:
    return len(code) in CODE_LENGTHS and all(c in ALPHABET for c in code)


def new_code(taken: Callable[[str], bool]) -> str:
    """A random code that `taken` says is free; longer ones when short ones keep colliding."""
    for length in CODE_LENGTHS:
        for _ in range(20):
            code = "".join(secrets.choice(ALPHABET) for _ in range(length))
            if not taken(code):
                return code
    raise RuntimeError("no free class code")  # 387 million 6-sign codes: never in practice


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def refuse_locked(locked: Iterable[str], changes: dict[str, Any], config: TrainingConfig) -> None:
    """A student's `configure` of keys the teacher locked is refused (code `locked`); the
    same value again is not a change and passes (a page re-sending its whole state)."""
    hit = sorted(k for k in locked if k in changes and changes[k] != getattr(config, k, None))
    if hit:
        raise ClientError(
            hit[0],
            f"{', '.join(hit)} {'is' if len(hit) == 1 else 'are'} locked by your teacher",
            "locked",
            {"fields": hit},
        )


@dataclass
class Student:
    runner: Any  # app.web.runner.SessionRunner: the student's own session
    name: str
    spark: deque = field(default_factory=lambda: deque(maxlen=SPARK_POINTS))
    thumb: dict[str, Any] | None = None  # the last boundary thumbnail (roster.py)


class Classroom:
    """One class: who is in it and what the teacher set."""

    def __init__(self, code: str, title: str, size: int = MAX_STUDENTS):
        self.code = code
        self.title = title
        # The teacher's secret; a class restored after its process died keeps only the hash
        # until its teacher page comes back with the key (app/web/class_records.py).
        self.key: str | None = secrets.token_hex(16)
        self.key_sha256 = key_hash(self.key)
        self.size = size
        self.students: dict[str, Student] = {}  # by session id
        self.locked: set[str] = set()
        self.pushed: dict[str, Any] = {}  # every key pushed, its latest value
        self.lesson: str | None = None
        self.teacher: Send | None = None  # the teacher page's socket, while one is open
        self.spotlight: str | None = None  # a student's session id
        self.watch_token: str | None = None  # lets the spotlight's read-only socket in
        self.closed = False

    def opened(self) -> dict[str, Any]:
        """The `class` message: what the teacher page keeps (the key in sessionStorage)."""
        return {
            "type": "class",
            "code": self.code,
            "key": self.key,
            "title": self.title,
            "max_students": self.size,
            "locked": sorted(self.locked),
            "pushed": self.pushed,
            "lesson": self.lesson,
        }

    def joined(self, sid: str) -> dict[str, Any]:
        return {
            "type": "class_joined",
            "code": self.code,
            "title": self.title,
            "student": sid,
            "name": self.students[sid].name,
            "locked": sorted(self.locked),
            "lesson": self.lesson,
        }

    def has_key(self, key: str) -> bool:
        return secrets.compare_digest(key_hash(key), self.key_sha256)

    def add(self, runner: Any, name: str) -> Student:
        """Seat a student (their session gets the class's locks); raises `class_full`."""
        if runner.id not in self.students and len(self.students) >= self.size:
            raise ClientError(
                "code",
                f"class {self.code} is full: {self.size} students at most",
                "class_full",
                {"max": self.size},
            )
        name = " ".join(name.split()) or f"Student {len(self.students) + 1}"
        student = Student(runner, name)
        self.students[runner.id] = student
        runner.locks = self.locked
        return student

    def remove(self, sid: str) -> None:
        student = self.students.pop(sid, None)
        if student is not None:
            student.runner.locks = set()
        if self.spotlight == sid:
            self.spotlight = self.watch_token = None

    def baseline(self) -> dict[str, Any]:
        """The config every student would have without their own changes: the defaults
        with what the teacher pushed on top (config_diff in the roster is measured from it)."""
        return {**TrainingConfig().model_dump(), **self.pushed}


def forbidden(what: str) -> ClientError:
    return ClientError(
        "key",
        f"{what} needs the class's teacher key: only the teacher page that opened the class "
        "may send it",
        "forbidden",
    )


class Classes:
    """The open classes of this process, by code and by key."""

    def __init__(
        self,
        size: int = MAX_STUDENTS,
        taken: Callable[[str], bool] = lambda code: False,
        claim: Callable[[str], bool] = lambda code: True,
        release: Callable[[str], None] = lambda code: None,
        records: Any = None,
        restored: Callable[[Classes, Classroom], None] = lambda classes, cls: None,
    ):
        """taken, claim, release: codes across worker processes (app/web/class_routing.py);
        records: where classes are kept to outlive their process (app/web/class_records.py);
        restored: called with a class brought back from its record."""
        self.size = size
        self.by_code: dict[str, Classroom] = {}
        self._elsewhere, self._claim, self._release = taken, claim, release
        self.records = records
        self._restored = restored

    def open(self, title: str, proposed: str | None = None) -> Classroom:
        """A new class, under the code the page proposed when it is a free, valid code."""
        code = normalize(proposed or "")
        while not (is_code(code) and not self._taken(code) and self._claim(code)):
            code = new_code(self._taken)
        cls = Classroom(code, " ".join(title.split()), self.size)
        self.by_code[code] = cls
        self.saved(cls)
        return cls

    def saved(self, cls: Classroom) -> None:
        """Keep what the teacher set (after every change), when classes are durable."""
        if self.records is not None and not cls.closed:
            self.records.save(cls)

    def _taken(self, code: str) -> bool:
        return code in self.by_code or self._elsewhere(code) or self._recorded(code)

    def _recorded(self, code: str) -> bool:
        return self.records is not None and self.records.load(code) is not None

    def _restore(self, record: dict[str, Any] | None) -> Classroom | None:
        """A class whose process died, back in this one (when no live process holds it)."""
        if record is None or not self._claim(record["code"]):
            return None
        cls = Classroom(record["code"], record.get("title", ""), record.get("size", self.size))
        cls.key, cls.key_sha256 = None, record["key_sha256"]
        cls.locked.update(record.get("locked", []))
        cls.pushed.update(record.get("pushed", {}))
        cls.lesson = record.get("lesson")
        self.by_code[cls.code] = cls
        self._restored(self, cls)
        return cls

    def find(self, code: str) -> Classroom:
        code_ = normalize(code)
        cls = self.by_code.get(code_)
        if cls is None and self.records is not None and is_code(code_):
            cls = self._restore(self.records.load(code_))
        if cls is None:
            raise ClientError(
                "code",
                f"no open class has the code {got(code)!r}: check the code on the teacher's screen",
                "no_class",
                {"got": got(code)},
            )
        return cls

    def by_key(self, key: str, what: str) -> Classroom:
        cls = next((c for c in self.by_code.values() if c.has_key(key)), None)
        if cls is None and self.records is not None:
            cls = self._restore(self.records.find_key(key))
        if cls is None:
            raise forbidden(what)
        cls.key = key  # a restored class learns its key back from its teacher
        return cls

    def of_student(self, sid: str) -> Classroom | None:
        return next((c for c in self.by_code.values() if sid in c.students), None)

    def close(self, cls: Classroom) -> None:
        cls.closed = True
        if self.by_code.get(cls.code) is cls:
            del self.by_code[cls.code]
            self._release(cls.code)
            if self.records is not None:
                self.records.remove(cls.code)
        for sid in list(cls.students):
            cls.remove(sid)
