"""One tab's session on the server: pacing, message dispatch, frames out.

Training runs in a worker thread (`asyncio.to_thread`) so the event loop keeps reading
control messages while the network trains. All training, `play` and `step n` alike, is done
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
from collections.abc import Awaitable, Callable
from typing import Any

from app.errors import ClientError
from app.training.frames.encode import json_safe
from app.training.live.config import STRUCTURAL_KEYS
from app.training.live.pins import pin, pins_message
from app.training.live.session import Change, TrainingSession
from app.training.takehome.runfile import load_run, run_filename, save_run
from app.training.takehome.script import export_script, script_filename
from app.training.teaching.step_through import gradient_check, run_trace
from app.training.teaching.stuck import StuckWatch, chance_accuracy
from app.web import messages as m
from app.web.classroom import refuse_locked
from app.web.errors import error_message
from app.web.slicing import PROGRESS_S, SLICE_S, advance_for, step_slice
from app.web.status import status_message

Send = Callable[[str], Awaitable[None]]
log = logging.getLogger(__name__)

# While playing, a frame's period is shared by the sessions of this process: training gets
# TRAIN_SHARE of a session's share (at least TRAIN_MIN_S), the frame's costly parts
# FRAME_SHARE. Whatever the network and speed, the next frame comes on time.
TRAIN_SHARE = 0.5
TRAIN_MIN_S = 0.004
FRAME_SHARE = 0.35


class SessionRunner:
    """Drives one TrainingSession for one WebSocket."""

    def __init__(
        self,
        session_id: str,
        send_text: Send,
        frame_rate: float,
        crowd: Callable[[], int] = lambda: 1,
    ):
        self.id = session_id
        self.session = TrainingSession()
        self.playing = False
        self.pending = 0  # steps a `step n` still has to take
        self.closed = False
        self._ticket = 0  # bumped by every message that interrupts the work under way
        self._send_text = send_text
        self._send_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stop = threading.Event()  # interrupts a training chunk between two steps
        self._config_lock = threading.Lock()  # one config change at a time, slices aside
        self._period = 1.0 / frame_rate
        self._crowd = crowd  # how many sessions share this process now
        self._stuck = StuckWatch()
        # Teacher mode (app/web/classroom.py): config keys the class locked, the latest frame
        # (for the roster) and the spotlight's read-only sockets, which get what this one gets.
        self.locks: set[str] = set()
        self.last_frame: dict[str, Any] | None = None
        self.watchers: set[Callable[[str, str], None]] = set()
        self._chance: tuple[int, float] = (-1, 0.0)  # (generation, majority-class share)

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
        """Run fn(*args) in a worker thread while holding the session's lock."""

        def call():
            with self.session.lock:
                return fn(*args)

        return await asyncio.to_thread(call)

    def _state(self) -> str:
        return "running" if self.playing else "stepping" if self.pending else "paused"

    async def _status(self, change: Change | None = None) -> None:
        await self.send(await self._locked(lambda: self._status_msg(change)))

    def _status_msg(self, change: Change | None = None, code: str = "") -> dict[str, Any]:
        """The session's state now (call holding the lock, so it matches what was done)."""
        return status_message(self.session, self._state(), change, code)

    async def start(self, hello: dict[str, Any]) -> None:
        """Greet the client: hello, the data, the status and a first frame; then play."""
        await self.send({**hello, "config": self.session.config.model_dump()})
        await self.send(await self._locked(self.session.dataset_message))
        self.playing = True  # the default trains at once, like TensorFlow Playground
        await self._status()
        await self.send(await self._locked(lambda: self.session.frame(self._state())))
        self._wake.set()

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
                if ticket != self._ticket or frame is None:
                    continue  # a pause, reset or configure answered for itself
                last_progress = loop.time()
                if self.pending and frame["state"] == "paused":
                    frame["state"] = "stepping"  # more steps were asked for meanwhile
                await self.send(frame)
                if self.session.diverged:
                    self.pending = 0
                    await self._status()
                elif not self.pending:
                    await self._watch(frame)
                continue
            # Training stops when the frame is due (a share of the period, see _chunk): a
            # play chunk is one slice, and messages are answered between two of them.
            frame = await self._locked(self._chunk)
            if (
                frame is not None
                and self.playing
                and ticket == self._ticket
                and generation == self.session.generation
            ):
                await self.send(frame)
                if self.session.diverged:
                    await self._pause()
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
        share = self._period / max(1, self._crowd())
        self._advance(self.session.config.speed, max(TRAIN_MIN_S, TRAIN_SHARE * share))
        return self.session.frame("running", budget_ms=1000 * FRAME_SHARE * share)

    async def _watch(self, frame: dict[str, Any]) -> None:
        """Say so, once, when the network is stuck (a status with its code and params)."""
        s = self.session
        if self._chance[0] != s.generation:
            self._chance = (s.generation, chance_accuracy(s.y_train))
        found = self._stuck.check(frame, s.generation, self._chance[1])
        if found is not None:
            await self.send({**self._status_msg(), **found})

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

    def close(self) -> None:
        """Stop all work: the running chunk ends after its current step."""
        self.closed = True
        self.playing = False
        self._stop.set()
        self._wake.set()

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
        """The page says at what size it draws neuron maps; later frames send them so."""
        self.session.frames.neuron_px = msg.neuron_px

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
        await self._status()
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
            frame = self.session.frame(self._state()) if change.rebuilt or idle else None
            pins = pins_message(self.session.pins, self.session.config.model_dump())
            return data, self._status_msg(change, code), frame, pins

        data, status, frame, pins = await self._locked(run)
        if data is not None:
            await self.send(data)
        await self.send(status)
        if frame is not None:
            await self.send(frame)
        if pins["pins"] or pinning:
            await self.send(pins)

    async def load_dataset(self, data) -> None:
        """Switch to an uploaded dataset (called by the upload route)."""
        await self._change(lambda: self.session.load_dataset(data), "loaded")

    async def on_add_point(self, msg: m.AddPoint) -> None:
        await self._change(lambda: self.session.edit_point(msg.x, msg.y, msg.label), "point_added")

    async def on_remove_point(self, msg: m.RemovePoint) -> None:
        await self._change(lambda: self.session.edit_point(msg.x, msg.y, None), "point_removed")

    async def on_hidden(self, msg: m.Hidden) -> None:
        """Start or stop the hidden-space part of frames; paused, a frame shows it at once."""
        await self._locked(lambda: self.session.watch_hidden(msg.layer))
        if not self.playing:
            await self.send(await self._locked(lambda: self.session.frame("paused")))

    async def on_predict(self, msg: m.Predict) -> None:
        await self.send(await self._locked(lambda: self.session.predict(msg.point, msg.image)))

    async def on_trace(self, msg: m.Trace) -> None:
        note = "Paused to trace one step" if self.playing else ""
        if self.playing or self.pending:
            await self._pause()
        self._stop.clear()
        trace = await self._locked(lambda: run_trace(self.session, msg.example, msg.split))
        await self.send(trace)
        if note:
            status = {**self.session.status("paused"), "message": note}
            await self.send({**status, "code": "paused_for_trace", "params": {}})
        await self.send(await self._locked(lambda: self.session.frame("paused")))

    async def on_gradcheck(self, msg: m.GradCheck) -> None:
        await self.send(
            await self._locked(lambda: gradient_check(self.session, msg.param, msg.index))
        )

    async def on_export(self, msg: m.Export) -> None:
        """The run as a file to download; training goes on."""

        def export() -> dict[str, Any]:
            s = self.session
            if msg.format == "script":
                name, content = script_filename(s), export_script(s)
            elif msg.format == "run":
                name = run_filename(s)
                content = json.dumps(json_safe(save_run(s)), separators=(",", ":"))
            else:
                name, content = f"{s.config.dataset}_history.csv", s.history.to_csv()
            return {
                "type": "export",
                "format": msg.format,
                "filename": name,
                "step": s.step,
                "content": content,
            }

        await self.send(await self._locked(export))

    async def on_load(self, msg: m.Load) -> None:
        await self.load_run(msg.run)

    async def load_run(self, run: dict[str, Any]) -> None:
        """Replace this tab's run by a saved one (paused at its step); the tab's pins stay
        unless the run brings its own. Raises ClientError and changes nothing if it is bad."""
        new = await asyncio.to_thread(load_run, run)  # validated before anything changes
        if self.playing:
            await self._pause()

        def adopt() -> Change:
            old = self.session
            new.pins = new.pins or old.pins
            new.generation = old.generation + 1  # frames of the old run are stale
            self.session = new
            changed = [k for k, v in new.config.model_dump().items() if getattr(old.config, k) != v]
            return Change(changed, True, f"Opened a run saved at step {new.step}")

        await self._change(adopt, "opened")

    async def on_pin(self, _: m.Pin) -> None:
        def add() -> Change:
            s = self.session
            note = pin(s.pins, s.config.model_dump(), s.step, s.history.to_columns())
            return Change([], False, note)

        await self._change(add, "pinned", pinning=True)

    async def on_unpin(self, msg: m.Unpin) -> None:
        def remove() -> Change:
            pins = self.session.pins
            if msg.index >= len(pins):
                raise ClientError(
                    "index",
                    f"index must be between 0 and {len(pins) - 1}; got {msg.index}"
                    if pins
                    else "there are no pins to remove",
                    "out_of_range",
                    {"min": 0, "max": len(pins) - 1, "got": msg.index},
                )
            pins.pop(msg.index)
            return Change([], False, "Unpinned")

        await self._change(remove, "unpinned", pinning=True)
