"""Durable sessions: each session's run (the saved-run format) in a state folder, so a tab
that reconnects after its worker died or the server restarted gets its own run back.

A checkpoint is `<state_dir>/<session id>.run.json`, written atomically (a temporary file,
then os.replace: a reader sees the old run or the new one, never half of one) and off the
event loop. Any worker process can restore any session: `restore(store, sid)`. Checkpoints
expire `ttl_s` seconds after their last write. A folder that cannot be written (full,
read-only) turns checkpoints off for the session, which goes on without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.errors import ClientError
from app.training.frames.encode import json_safe
from app.training.live.session import TrainingSession
from app.training.takehome.run_schema import MAX_FILE_BYTES, parse_run
from app.training.takehome.runfile import load_run, save_run

SESSION_ID = re.compile(r"[0-9a-f]{16,32}")  # what secrets.token_hex(8) gives, and room
SUFFIX = ".run.json"
log = logging.getLogger(__name__)


class CheckpointStore:
    """Checkpoint files in `root` (made on the first write), kept `ttl_s` seconds."""

    def __init__(self, root: str | Path, ttl_s: float):
        self.root = Path(root)
        self.ttl_s = ttl_s

    def path(self, sid: str) -> Path:
        if not SESSION_ID.fullmatch(sid):
            raise ValueError(f"not a session id: {sid[:40]!r}")
        return self.root / f"{sid}{SUFFIX}"

    def write(self, sid: str, text: str) -> None:
        """Atomically replace the session's checkpoint; OSError if the folder refuses."""
        final = self.path(sid)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.root / f".{sid}.{os.getpid()}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def read(self, sid: str) -> Any | None:
        """The checkpoint's JSON, or None: none, expired (then removed), or unreadable."""
        try:
            path = self.path(sid)
            if time.time() - path.stat().st_mtime > self.ttl_s:
                path.unlink()
                return None
            with open(path, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except (OSError, ValueError):
            return None
        if len(data) > MAX_FILE_BYTES:
            return None
        try:
            return parse_run(data)
        except ClientError:
            return None

    def remove(self, sid: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.path(sid).unlink()

    def sweep(self) -> int:
        """Remove expired checkpoints and leftover temporary files; returns how many."""
        removed = 0
        now = time.time()
        with contextlib.suppress(OSError):
            for p in self.root.iterdir():
                with contextlib.suppress(OSError):
                    old = now - p.stat().st_mtime > (self.ttl_s if p.suffix != ".tmp" else 60)
                    if old and (p.name.endswith(SUFFIX) or p.suffix == ".tmp"):
                        p.unlink()
                        removed += 1
        return removed


async def sweep_every(store: Any, period_s: float) -> None:
    """Sweep expired files of `store` (checkpoints, class records: anything with a
    `sweep()`) now and every `period_s` seconds (the app's lifetime)."""
    while True:
        await asyncio.to_thread(store.sweep)
        await asyncio.sleep(max(1.0, period_s))


def restore(store: CheckpointStore, sid: str) -> tuple[TrainingSession, str] | None:
    """Session `sid` as last checkpointed, and whether it was "running" or "paused"; None
    if it has no checkpoint (or an unusable one, which is removed). Blocking: call it in a
    thread. Any worker process may call it."""
    raw = store.read(sid)
    if raw is None:
        return None
    try:
        session = load_run(raw)
    except ClientError as e:
        log.warning("checkpoint of session %s is unusable (%s): starting afresh", sid, e)
        store.remove(sid)
        return None
    except Exception:  # a bug must not cost the tab its connection (or its slot)
        log.exception("checkpoint of session %s could not be restored", sid)
        return None
    return session, raw.get("state") or "paused"


def snapshot(session: TrainingSession, state: str) -> str:
    """The session's checkpoint text (the saved-run format and whether it was playing)."""
    with session.lock:
        run = {**save_run(session, level=0), "state": state, "pins": list(session.pins)}
    return json.dumps(json_safe(run), separators=(",", ":"))


class Checkpointer:
    """One session's checkpoints: `maybe()` after each slice of training (writes when
    `every_s` have passed), `now()` after a pause or change. One write at a time, in a
    worker thread; a request during a write is coalesced into one more write after it.
    The first failed write turns checkpoints off and calls `on_fail(reason)` once."""

    def __init__(
        self,
        store: CheckpointStore,
        sid: str,
        take: Callable[[], str],
        every_s: float,
        on_fail: Callable[[str], Awaitable[None]],
    ):
        self.store, self.sid, self.take, self.every_s = store, sid, take, every_s
        self.on_fail = on_fail
        self.off = False
        self.writes = 0
        self._last = time.monotonic()
        self._task: asyncio.Task | None = None
        self._again = False

    def maybe(self) -> None:
        if time.monotonic() - self._last >= self.every_s:
            self.now()

    def now(self) -> None:
        if self.off:
            return
        self._last = time.monotonic()
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run())

    async def flush(self) -> None:
        """Write now and wait for it (a closing tab: its last state is kept)."""
        self.now()
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await asyncio.to_thread(self._write)
            except OSError as e:
                self.off = True
                log.warning("checkpoints off for session %s: %s", self.sid, e)
                await self.on_fail(e.strerror or type(e).__name__)
                return
            except Exception:  # a bug must not end the session: it goes on without
                self.off = True
                log.exception("checkpoint of session %s failed", self.sid)
                await self.on_fail("internal error")
                return
            self.writes += 1
            if not self._again:
                return

    def _write(self) -> None:
        self.store.write(self.sid, self.take())
