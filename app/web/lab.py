"""The runner's lab messages: bug hunt (bughunt, guess) and neuron surgery (edit, freeze,
kill). A mixin of SessionRunner (runner.py), which dispatches `on_<type>` to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.training.live import surgery
from app.training.teaching import bughunt
from app.web import messages as m


class LabHandlers:
    """Handlers for SessionRunner: they use its send, _locked, _status_msg, _interrupt."""

    async def on_bughunt(self, msg: m.BugHunt) -> None:
        def run() -> dict[str, Any]:
            s = self.session
            return bughunt.stop(s) if msg.bug is None else bughunt.start(s, msg.bug)

        await self.send(await self._locked(run))

    async def on_guess(self, msg: m.Guess) -> None:
        for answer in await self._locked(lambda: bughunt.guess(self.session, msg.bug)):
            await self.send(answer)

    async def on_edit(self, msg: m.Edit) -> None:
        await self._operate(lambda s: surgery.edit(s, msg.param, msg.index, msg.value))

    async def on_freeze(self, msg: m.Freeze) -> None:
        await self._operate(lambda s: surgery.operate(s, "frozen", msg.layer, msg.unit, msg.on))

    async def on_kill(self, msg: m.Kill) -> None:
        await self._operate(lambda s: surgery.operate(s, "killed", msg.layer, msg.unit, msg.on))

    async def _operate(self, apply: Callable[[Any], tuple[str, dict[str, Any]]]) -> None:
        """Pause, apply, then answer a status (code "edited") and a paused frame showing the
        effect. A refused request (ClientError) changes nothing, and training goes on."""

        def run() -> tuple[dict[str, Any], dict[str, Any]]:
            with self._config_lock:
                message, params = apply(self.session)
            self.playing, self.pending = False, 0
            self._interrupt()  # a slice under way ends; its frame is not sent
            status = {**self._status_msg(), "code": "edited", "message": message}
            return {**status, "params": params}, self.session.frame("paused")

        status, frame = await self._locked(run)
        await self.send(status)
        await self.send(frame)
