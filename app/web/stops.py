"""A run that stops or stalls by itself while it trains: a stop condition fired (a status
with code `stopped`, then the paused frame), or the network is stuck (the stuck detector's
status, once an episode). A mixin of SessionRunner (runner.py): its training loop calls
these; it gives `session`, `send`, `_locked`, `_status_msg`, `_interrupt`, `_stuck` and
`_chance`."""

from __future__ import annotations

from typing import Any

from app.training.teaching.stuck import chance_accuracy


class Stops:
    async def _watch(self, frame: dict[str, Any]) -> None:
        """Say so, once, when the network is stuck (a status with its code and params); not
        in a bug hunt, whose planted bug is the cause the advice would send a student past."""
        s = self.session
        if s.hunt is not None:
            return
        if self._chance[0] != s.generation:
            self._chance = (s.generation, chance_accuracy(s.y_train))
        found = self._stuck.check(frame, s.generation, self._chance[1])
        if found is not None:
            await self.send({**self._status_msg(), **found})

    def _stopped_msg(self) -> dict[str, Any]:
        """A status saying why the run stopped by itself (code `stopped`, params: reason,
        step, epoch, value, limit)."""
        s = self.session
        msg = self._status_msg()
        params = {**s.stopped, "of": s.stopped["reason"]}  # `of`: the page's string variant
        return {**msg, "code": "stopped", "params": params, "message": s.stops.message()}

    async def _stop_run(self) -> None:
        """A stop condition fired while playing: pause, say why, send the paused frame."""
        self.playing = False
        self.pending = 0
        self._interrupt()
        await self.send(await self._locked(self._stopped_msg))
        await self.send(await self._locked(lambda: self.session.frame("paused")))
