"""One tab's session on the server: pacing, message dispatch, frames out.

Training runs in a worker thread so the event loop keeps reading control messages while
the network trains; a heavy session's work goes to its own small pool, so light sessions
are never queued behind it (app/web/pools.py). All training, `play` and `step n` alike, is done
by one loop in slices of at most SLICE_S seconds: the session's lock is free between two
slices, so `pause`, `reset`, `configure` and a closed tab take effect within one slice,
whatever the network's size. Frames are produced one at a time and awaited while sending, so
a slow client simply gets fewer, newer frames: there is never a backlog.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from app.errors import ClientError
from app.training.frames.encode import json_safe
from app.training.live.config import STRUCTURAL_KEYS
from app.training.live.pins import pins_message
from app.training.live.session import Change, TrainingSession
from app.training.teaching.stuck import StuckWatch
from app.web import messages as m
from app.web.checkpoints import Checkpointer
from app.web.classroom import refuse_locked
from app.web.errors import error_message
from app.web.lab import LabHandlers
from app.web.pace import frame_period, light, steps_owed, work_share
from app.web.pools import Gauge
from app.web.probes import ProbeHandlers
from app.web.slicing import PROGRESS_S, SLICE_S, advance_for, step_slice
from app.web.status import status_message
from app.web.stops import Stops
from app.web.takehome import TakeHome

Send = Callable[[str], Awaitable[None]]
log = logging.getLogger(__name__)

# While playing, a frame's period is shared by the sessions of this process: the frame's
# costly parts may take FRAME_SHARE of a session's share, training WORK_SHARE less what the
# frames have been costing (at least TRAIN_MIN_S): a cheap frame (a plane the page draws)
# leaves its time to training. Whatever the network and speed, the next frame comes on time.
WORK_SHARE = 0.85
TRAIN_MIN_S = 0.004
FRAME_SHARE = 0.35


class SessionRunner(TakeHome, LabHandlers, ProbeHandlers, Stops):
    """Drives one TrainingSession for one WebSocket."""

    def __init__(
        self,
        session_id: str,
        send_text: Send,
        frame_rate: float,
        crowd: Callable[[], int] = lambda: 1,
        session: TrainingSession | None = None,
    ):
        self.id = session_id
        self.session = session or TrainingSession()  # a restored session, or a new one
        self.checkpoints: Checkpointer | None = None  # set when a state folder is kept
        self.playing = False
        self.played = False  # whether it was playing when it closed
        self.pending = 0  # steps a `step n` still has to take
        self.closed = False
        self._ticket = 0  # bumped by every message that interrupts the work under way
        self._send_text = send_text
        self._send_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stop = threading.Event()  # interrupts a training chunk between two steps
        self._config_lock = threading.Lock()  # one config change at a time, slices aside
        self._base_rate = frame_rate
        self._period = 1.0 / frame_rate  # now: app/web/pace.py (small planes, quiet process)
        self._crowd = crowd  # how many sessions share this process now
        self._credit = 0.0  # steps owed by a speed below 1 (slow motion)
        self._frame_s = FRAME_SHARE / frame_rate  # what a running frame costs (average)
        self._stuck = StuckWatch()
        # Teacher mode (app/web/classroom.py): config keys the class locked, the latest frame
        # (for the roster) and the spotlight's read-only sockets, which get what this one gets.
        self.locks: set[str] = set()
        self.last_frame: dict[str, Any] | None = None
        self.watchers: set[Callable[[str, str], None]] = set()
        self._chance: tuple[int, float] = (-1, 0.0)  # (generation, majority-class share)
        self._gauge = Gauge()  # light or heavy: which thread pool the session's work uses
        self._landscape: asyncio.Task | None = None  # a `landscape` under way

    # -- output ------------------------------------------------------------------------------

    async def send(self, msg: dict[str, Any]) -> None:
        try:
            text = json.dumps(msg, allow_nan=False, separators=(",", ":"))
        except ValueError:  # a diverged run: JSON has no NaN, the page gets null
            text = json.dumps(json_safe(msg), separators=(",", ":"))
        if msg.get("type") == "frame":
            self.last_frame = msg
        for watch in list(self.watchers):
            watch(text, msg.get("type", ""))
        async with self._send_lock:
            if self.closed:
                return
            try:
                await self._send_text(text)
            except Exception:  # the peer is gone (or going): stop working for it
                self.close()

    async def error(self, err: ClientError) -> None:
        await self.send(error_message(err))

    async def _locked(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(*args) in a worker thread (of the session's pool) holding its lock."""

        def call():
            with self.session.lock:
                return fn(*args)

        return await self._gauge.run(call)

    def _state(self) -> str:
        return "running" if self.playing else "stepping" if self.pending else "paused"

    async def _status(self, change: Change | None = None) -> None:
        await self.send(await self._locked(lambda: self._status_msg(change)))

    def _status_msg(self, change: Change | None = None, code: str = "") -> dict[str, Any]:
        """The session's state now (call holding the lock, so it matches what was done)."""
        return status_message(self.session, self._state(), change, code)

    async def start(self, hello: dict[str, Any], play: bool = True) -> None:
        """Greet the client: hello, the data, the status and a first frame; then play (a
        restored run plays if it was playing)."""
        await self.send({**hello, "config": self.session.config.model_dump()})
        await self.send(await self._locked(self.session.dataset_message))
        self.playing = play  # the default trains at once, like TensorFlow Playground
        await self._status()
        await self.send(await self._locked(lambda: self.session.frame(self._state())))
        if self.session.pins:  # a restored run's pinned curves
            await self.send(pins_message(self.session.pins, self.session.config.model_dump()))
        self._checkpoint()
        self._wake.set()

    def _checkpoint(self, due_only: bool = False) -> None:
        """Keep the run in the state folder: now (a pause, a change), or when due."""
        if self.checkpoints is not None:
            self.checkpoints.maybe() if due_only else self.checkpoints.now()

    async def checkpoints_off(self, reason: str) -> None:
        """Said once: the state folder refused a checkpoint; the session goes on (and the
        Checkpointer tries again later)."""
        msg = f"Your run is no longer saved on the server ({reason}); it goes on"
        await self.send(
            {
                **self._status_msg(),
                "code": "checkpoints_off",
                "message": msg,
                "params": {"reason": reason},
            }
        )

    async def checkpoints_on(self) -> None:
        """Said once: after checkpoints_off, a checkpoint was written again."""
        msg = "Your run is saved on the server again"
        await self.send(
            {**self._status_msg(), "code": "checkpoints_on", "message": msg, "params": {}}
        )

    # -- the training loop -----------------------------------------------------------------

    async def train_loop(self) -> None:
        """Play and `step n`, one time-bounded slice at a time, until the tab closes."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        last_progress = loop.time()
        while not self.closed:
            if not (self.playing or self.pending):
                self._wake.clear()
                await self._wake.wait()
                due = last_progress = loop.time()
                continue
            ticket, generation = self._ticket, self.session.generation
            if self.pending:
                n, show = self.pending, loop.time() - last_progress >= PROGRESS_S
                done, frame = await self._locked(self._step_slice, n, show)
                self.pending = max(0, self.pending - done)
                self._checkpoint(due_only=True)
                if ticket != self._ticket or frame is None:
                    continue  # a pause, reset or configure answered for itself
                last_progress = loop.time()
                if self.pending and frame["state"] == "paused":
                    frame["state"] = "stepping"  # more steps were asked for meanwhile
                await self.send(frame)
                if self.session.diverged:
                    self.pending = 0
                    await self._status()
                elif self.session.stopped:
                    self.pending = 0
                    await self.send(await self._locked(self._stopped_msg))
                elif not self.pending:
                    await self._watch(frame)
                continue
            # Training stops when the frame is due (a share of the period, see _chunk): a
            # play chunk is one slice, and messages are answered between two of them.
            frame = await self._locked(self._chunk)
            self._checkpoint(due_only=True)
            if (
                frame is not None
                and self.playing
                and ticket == self._ticket
                and generation == self.session.generation
            ):
                await self.send(frame)
                if self.session.diverged:
                    await self._pause()
                elif self.session.stopped:
                    await self._stop_run()
                else:
                    await self._watch(frame)
            # Frames keep a steady rate: the next one is due one period after the last was
            # due, not after this one finished (a late frame does not push the rest back).
            due = max(due + self._period, loop.time() - self._period)
            await asyncio.sleep(max(0.0, due - loop.time()))

    def _advance(self, n: int, limit: float = SLICE_S) -> int:
        return advance_for(self.session, n, self._stop, limit)

    def _step_slice(self, n: int, show: bool) -> tuple[int, dict[str, Any] | None]:
        return step_slice(self.session, n, show, self._stop)

    def _chunk(self) -> dict[str, Any] | None:
        """A running frame, after the steps of its chunk."""
        if not self.playing or self.closed:
            return None
        # Each of `crowd` sessions gets its share of the period: a big network trains fewer
        # steps and draws a coarser or rarer plane, and the frame still comes on time.
        crowd = max(1, self._crowd())
        share = self._period / crowd
        owed = steps_owed(self.session.config.speed, self._base_rate, self._period)
        self._credit = min(self._credit + owed, 2000.0)  # the speed control's top
        n = int(self._credit)
        if n == 0:
            return None  # slow motion: no step in this frame, so no frame to send
        self._credit -= n
        done = self._advance(
            n, max(TRAIN_MIN_S, work_share(crowd, WORK_SHARE) * share - self._frame_s)
        )
        t0 = time.monotonic()
        frame = self.session.frame("running", budget_ms=1000 * FRAME_SHARE * share)
        self._frame_s = 0.8 * self._frame_s + 0.2 * (time.monotonic() - t0)
        self._period = frame_period(self._base_rate, light(frame), crowd, behind=done < n)
        return frame

    def _interrupt(self) -> None:
        """Whatever runs now stops at its next step; its frame, if any, is not sent."""
        self._ticket += 1
        self._stop.set()

    async def _pause(self) -> None:
        self.playing = False
        self.pending = 0
        self._interrupt()
        # Answered at once, without waiting for the lock (the slice under way ends at its
        # next step): the costlier paused frame follows.
        await self.send(self._status_msg())
        await self.send(await self._locked(lambda: self.session.frame("paused")))
        self._checkpoint()

    def close(self) -> None:
        """Stop all work: the running chunk ends after its current step."""
        if not self.closed:  # the last checkpoint keeps whether it was playing
            self.played = self.playing
        self.closed = True
        self.playing = False
        self._stop.set()
        self._wake.set()
        if self._landscape is not None:
            self._landscape.cancel()

    # -- input ---------------------------------------------------------------------------------

    async def handle(self, msg: Any) -> None:
        """Apply one validated client message; every refusal becomes an `error` reply."""
        try:
            await getattr(self, f"on_{msg.type}")(msg)
        except ClientError as e:
            await self.error(e)
        except Exception as e:  # a bug: say so, log it, and keep the session
            log.exception("error handling a %s message", msg.type)
            await self.error(
                ClientError(
                    None,
                    f"the server failed on this {msg.type} message ({type(e).__name__}); "
                    "the session goes on",
                    "internal_error",
                )
            )

    async def on_view(self, msg: m.View) -> None:
        """How the page draws the session; later frames carry what it shows. Paused, a
        frame comes at once when that changed."""
        view = msg.model_dump(exclude={"type"})  # between two frames: none is half of each
        changed = await self._locked(lambda: self.session.frames.set_view(**view))
        if changed and not (self.playing or self.pending):
            await self.send(await self._locked(lambda: self.session.frame("paused")))

    async def on_ping(self, msg: m.Ping) -> None:
        await self.send({"type": "pong", "id": msg.id})

    async def on_play(self, _: m.Play) -> None:
        if self.session.diverged:
            await self._status()
            return
        self.playing = True
        self.pending = 0
        self._ticket += 1
        self._stop.clear()
        await self._locked(self.session.resume)
        await self._status()
        self._checkpoint()
        self._wake.set()

    async def on_pause(self, _: m.Pause) -> None:
        await self._pause()

    async def on_step(self, msg: m.Step) -> None:
        """Queue n steps for the training loop: it takes them in slices (sending progress
        frames on a long run) and ends with a paused frame. Another step adds to the queue."""
        if self.playing:
            await self._pause()
        if self.session.diverged:
            await self._status()
            return
        self._stop.clear()
        await self._locked(self.session.resume)
        self.pending += msg.n
        self._wake.set()

    async def on_reset(self, _: m.Reset) -> None:
        def reset() -> Change:
            self.session.reset()
            return Change([], True, "Reset: new weights from the seed")

        await self._change(reset, "reset")

    async def on_configure(self, msg: m.Configure) -> None:
        refuse_locked(self.locks, msg.config, self.session.config)
        await self.configure(msg.config)

    async def configure(self, config: dict[str, Any]) -> None:
        """Apply a partial config (a student's own, or the teacher's push past the locks)."""
        busy = self.playing or self.pending
        live = not set(config) & STRUCTURAL_KEYS
        if busy and live and self._config_lock.acquire(blocking=False):
            # A slider moved while training: live keys are a few attribute writes that the
            # next step reads, so they need not wait for the slice (or frame) under way.
            try:
                change = self.session.configure(config)
            finally:
                self._config_lock.release()
            await self.send(self._status_msg(change))
            self._checkpoint()
            return
        await self._change(lambda: self.session.configure(config))

    async def _change(
        self, apply: Callable[[], Change], code: str = "", pinning: bool = False
    ) -> None:
        """Apply a change and, in the same locked turn, describe its result: a rebuilt run's
        dataset and step-0 frame can never be overtaken by a frame of the old run."""

        def run():
            with self._config_lock:
                change = apply()
            if change.rebuilt:  # a new run: a `step n` under way ends, its frame is stale
                self.pending = 0
                self._ticket += 1
            data = self.session.dataset_message() if change.rebuilt else None
            idle = not (self.playing or self.pending)
            # an opened run's curves travel in its file: the page redraws them (taken before
            # the frame, which would record its own row over the saved one)
            history = self.session.history.to_columns() if code == "opened" else None
            frame = self.session.frame(self._state()) if change.rebuilt or idle else None
            pins = pins_message(self.session.pins, self.session.config.model_dump())
            status = self._status_msg(change, code)
            if history is not None:
                status["history"] = history
            return data, status, frame, pins

        data, status, frame, pins = await self._locked(run)
        if data is not None:
            await self.send(data)
        await self.send(status)
        if frame is not None:
            await self.send(frame)
        if pins["pins"] or pinning:
            await self.send(pins)
        self._checkpoint()
