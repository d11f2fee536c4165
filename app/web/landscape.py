"""A `landscape` request's work: slices beside training, progress, then the answer.

The job (app/training/teaching/landscape.py) holds its own copy of the network, so its slices
need no session lock: training, `pause` and every other message go on between them.
"""

from __future__ import annotations

import asyncio
import logging

from app.errors import ClientError
from app.training.teaching.landscape import LandscapeJob
from app.web.slicing import PROGRESS_S, SLICE_S

__all__ = ["LandscapeJob", "run_landscape"]
log = logging.getLogger(__name__)


async def run_landscape(runner, job: LandscapeJob) -> None:
    """Compute `job` a slice at a time; send `landscape_progress` about 4 times a second and
    the `landscape` when done. A rebuilt or replaced run makes it stale: it ends unsent."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    try:
        while not runner.closed:
            done = await asyncio.to_thread(job.run_for, SLICE_S)
            if job.generation != runner.session.generation:
                return
            if done:
                await runner.send(job.message())
                return
            if loop.time() - last >= PROGRESS_S:
                last = loop.time()
                progress = {"type": "landscape_progress", "step": job.step}
                await runner.send({**progress, "done": job.done, "total": job.total})
    except asyncio.CancelledError:
        raise
    except Exception as e:  # a bug: say so, log it, and keep the session
        log.exception("error computing a landscape")
        await runner.error(
            ClientError(
                None,
                f"the server failed on this landscape message ({type(e).__name__}); "
                "the session goes on",
                "internal_error",
            )
        )
