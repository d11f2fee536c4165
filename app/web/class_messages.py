"""Teacher-mode messages (docs/protocol.md, "Teacher mode"). Pydantic models like the rest of
app/web/messages.py, which lists them among the client messages.

A student sends `class_join`; every other message here is the teacher's and carries the
class's `key` (the secret that `class_open` answered with): without it, `forbidden`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KEY = Field(min_length=1, max_length=64)  # the teacher key (class_open makes 32 hex digits)


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ClassOpen(_Msg):
    """Open a class (answered by `class`). `code`: a code the page proposes (routing by code
    puts the teacher where the students go); `key`: reopen the class of that key (a reloaded
    teacher page)."""

    type: Literal["class_open"]
    title: str = Field("", max_length=80)
    code: str | None = Field(None, max_length=16)
    key: str | None = Field(None, max_length=64)


class ClassJoin(_Msg):
    type: Literal["class_join"]
    code: str = Field(max_length=16)
    name: str = Field("", max_length=40)


class ClassPush(_Msg):
    """A partial config applied to every student's session, as if they had set it."""

    type: Literal["class_push"]
    key: str = KEY
    config: dict[str, Any]


class ClassLock(_Msg):
    type: Literal["class_lock"]
    key: str = KEY
    fields: list[str] = Field(min_length=1, max_length=40)


class ClassUnlock(_Msg):
    """Unlock `fields` (all of them when absent)."""

    type: Literal["class_unlock"]
    key: str = KEY
    fields: list[str] | None = Field(None, max_length=40)


class ClassLesson(_Msg):
    """Start lesson `lesson` (an id of GET /api/lessons) in every tab; null ends it."""

    type: Literal["class_lesson"]
    key: str = KEY
    lesson: str | None = Field(None, max_length=64)


class ClassSpotlight(_Msg):
    """Show one student's run full-size on the teacher's page; null ends the spotlight."""

    type: Literal["class_spotlight"]
    key: str = KEY
    student: str | None = Field(None, max_length=32)


class ClassClose(_Msg):
    type: Literal["class_close"]
    key: str = KEY


CLASS_MODELS: dict[str, type[BaseModel]] = {
    "class_open": ClassOpen,
    "class_join": ClassJoin,
    "class_push": ClassPush,
    "class_lock": ClassLock,
    "class_unlock": ClassUnlock,
    "class_lesson": ClassLesson,
    "class_spotlight": ClassSpotlight,
    "class_close": ClassClose,
}
TEACHER_TYPES = frozenset(CLASS_MODELS) - {"class_join", "class_open"}
