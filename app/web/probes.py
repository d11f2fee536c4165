"""The runner's handlers that edit the data, pin curves or look into the network without
training it: an upload, add_point and remove_point; pin and unpin; hidden, predict, trace,
gradcheck and landscape. A mixin of SessionRunner (runner.py), which dispatches `on_<type>`
to it and gives `session`, `send`, `_locked`, `_change`, `_pause`, `_stop`, `playing`,
`pending` and `_landscape`."""

from __future__ import annotations

import asyncio

from app.errors import ClientError
from app.training.live.pins import pin
from app.training.live.session import Change
from app.training.teaching.step_through import gradient_check, run_trace
from app.web import messages as m
from app.web.landscape import LandscapeJob, run_landscape


class ProbeHandlers:
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

    async def on_landscape(self, msg: m.Landscape) -> None:
        """Start a landscape around the weights now; a newer request replaces one under way.
        It is computed in slices on a copy of the network, beside training, and answered when
        done (with `landscape_progress` meanwhile)."""
        if self._landscape is not None:
            self._landscape.cancel()
        job = await self._locked(lambda: LandscapeJob(self.session, msg.resolution, msg.span))
        self._landscape = asyncio.create_task(run_landscape(self, job))

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
