"""Durable sessions: each session's run (the saved-run format) in a state folder, so a tab
that reconnects after its worker died or the server restarted gets its own run back.

A checkpoint is `<state_dir>/<session id>.run.json`, written atomically (a temporary file,
then os.replace: a reader sees the old run or the new one, never half of one) and off the
event loop. Any worker process can restore any session: `restore(store, sid)`. Checkpoints
expire `ttl_s` seconds after their last write. A folder that cannot be written (full,
read-only) turns checkpoints off for the session, which goes on without them, and tries
again after a back-off (30 s, doubling to 5 min): a freed disk brings them back.
"""

from __future__ import annotations

import asyncio
import json
import logging
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
from app.web.expiring_files import ExpiringFiles

SESSION_ID = re.compile(r"[0-9a-f]{16,32}")  # what secrets.token_hex(8) gives, and room
SUFFIX = ".run.json"
RETRY_S = (30.0, 300.0)  # after a failed write: the first wait, doubling up to the last
log = logging.getLogger(__name__)


class CheckpointStore(ExpiringFiles):
    """Checkpoint files `<sid>.run.json` in `root` (made on the first write), kept `ttl_s`
    seconds."""

    suffix = SUFFIX

    def path(self, sid: str) -> Path:
        if not SESSION_ID.fullmatch(sid):
            raise ValueError(f"not a session id: {sid[:40]!r}")
        return super().path(sid)

    def read(self, sid: str) -> Any | None:
        """The checkpoint's JSON, or None: none, expired (then removed), or unreadable."""
        data = self.read_bytes(sid, MAX_FILE_BYTES)
        if data is None:
            return None
        try:
            return parse_run(data)
        except ClientError:
            return None


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
    `every_s` have passed), `now()` after a pause or change, `close()` when the tab is gone.
    One write at a time, in a worker thread; a request during a write is coalesced into one
    more write after it. A failed write turns checkpoints off and calls `on_fail(reason)`;
    they are tried again after `retry_s[0]` seconds, doubling up to `retry_s[1]` while
    writes keep failing, and the first write that succeeds calls `on_back()`: each change
    is said once."""

    def __init__(
        self,
        store: CheckpointStore,
        sid: str,
        take: Callable[[], str],
        every_s: float,
        on_fail: Callable[[str], Awaitable[None]],
        on_back: Callable[[], Awaitable[None]] | None = None,
        retry_s: tuple[float, float] | None = None,
    ):
        self.store, self.sid, self.take, self.every_s = store, sid, take, every_s
        self.on_fail, self.on_back, self.retry_s = on_fail, on_back, retry_s or RETRY_S
        self.off = False
        self.writes = 0
        self.fails = 0  # failed writes in a row
        self._last = time.monotonic()
        self._task: asyncio.Task | None = None
        self._again = False
        self._retry: asyncio.TimerHandle | None = None
        self._closed = False

    def maybe(self) -> None:
        if time.monotonic() - self._last >= self.every_s:
            self.now()

    def now(self, retry: bool = False) -> None:
        """Write the session's state now (after a failure: only when the retry is due)."""
        if self._closed or (self.off and not retry):
            return
        self._last = time.monotonic()
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run())

    async def flush(self) -> None:
        """Write now and wait for it."""
        self.now(retry=True)
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """The tab is gone: a last write (its last state is kept if the folder takes it),
        then no more, and no retry."""
        if self._retry is not None:
            self._retry.cancel()
        self.now(retry=True)
        self._closed = True  # the write under way is the last: a failure is not retried
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def _retry_later(self) -> None:
        wait = min(self.retry_s[0] * 2 ** (self.fails - 1), self.retry_s[1])
        self._retry = asyncio.get_running_loop().call_later(wait, self.now, True)

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await asyncio.to_thread(self._write)
            except Exception as e:  # a bug must not end the session: it goes on without
                if isinstance(e, OSError):
                    reason = e.strerror or type(e).__name__
                    log.warning("checkpoint of session %s failed: %s", self.sid, e)
                else:
                    reason = "internal error"
                    log.exception("checkpoint of session %s failed", self.sid)
                said, self.off = self.off, True
                self.fails += 1
                if not self._closed:
                    self._retry_later()
                if not said:
                    await self.on_fail(reason)
                return
            self.writes += 1
            if self.off:
                self.off, self.fails = False, 0
                log.info("checkpoints of session %s are written again", self.sid)
                if self.on_back is not None:
                    await self.on_back()
            if not self._again:
                return

    def _write(self) -> None:
        self.store.write(self.sid, self.take())
