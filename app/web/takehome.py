"""A session's take-home messages: `export` (script, run, history) and `load` (a saved
run, from the socket or the run upload). A mixin of SessionRunner, which gives `session`,
`send`, `_locked`, `_pause`, `_change` and `playing`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.training.frames.encode import json_safe
from app.training.live.session import Change
from app.training.takehome.runfile import load_run, run_filename, save_run
from app.training.takehome.script import export_script, script_filename
from app.training.teaching import bughunt
from app.web import messages as m
from app.web.classroom import refuse_locked


class TakeHome:
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
        # A class's locks hold for a run file too: it may not bring other values of them.
        old_config = self.session.config.model_dump()
        differs = {k: v for k, v in new.config.model_dump().items() if v != old_config[k]}
        refuse_locked(self.locks, differs, self.session.config)
        if self.playing:
            await self._pause()

        def adopt() -> Change:
            old = self.session
            new.pins = new.pins or old.pins
            new.frames.adopt_view(old.frames)  # the page draws as before
            new.generation = old.generation + 1  # frames of the old run are stale
            if old.hunt is not None:  # a bug hunt goes on in the opened run
                bughunt.replant(new, old.hunt)
            self.session = new
            changed = [k for k, v in new.config.model_dump().items() if getattr(old.config, k) != v]
            return Change(changed, True, f"Opened a run saved at step {new.step}")

        await self._change(adopt, "opened")
