"""Fair sharing of a process between light and heavy sessions.

A session's work (training slices, frames, changes) runs in threads so the event loop stays
free. Every call is timed in CPU seconds of its thread (not wall time, which grows for
everyone when the machine is busy): a session whose last call took more than HEAVY_CPU_S
is *heavy* and its next calls go to a small pool of HEAVY_THREADS threads, where heavy
sessions take turns (the queue is first come, first served, and each session queues one
call at a time). Light sessions (XOR at the defaults: a few ms a slice) and every new
session's start-up use asyncio's default pool, which heavy work therefore never fills: a
light tab keeps its frame rate beside eight 8 x 256 nets training on batches of 5,000, and
the heavy tabs share the rest (bench/fairness.py). The heavy threads also run at a lower
OS priority (nice +HEAVY_NICE, Linux), so when the cores are busy the event loop (pings,
control messages) and light slices get a core first.

A heavy step is mostly BLAS, which releases the GIL and uses the BLAS library's own threads;
with several worker processes the CLI gives each process its share of the cores
(app/web/cli.py: OPENBLAS_NUM_THREADS and friends) so they do not oversubscribe the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

HEAVY_CPU_S = 0.05  # a call costlier than this marks its session heavy (a light slice: ~10 ms)
HEAVY_THREADS = 1  # heavy calls at once per process (each may use several BLAS threads)
HEAVY_NICE = 10  # how much lower the heavy threads' priority is

_heavy: ThreadPoolExecutor | None = None
_create = threading.Lock()


def heavy_pool() -> ThreadPoolExecutor:
    """This process's pool for heavy sessions, made on first use."""
    global _heavy
    with _create:
        if _heavy is None:
            _heavy = ThreadPoolExecutor(
                HEAVY_THREADS, thread_name_prefix="bp-heavy", initializer=_lower_priority
            )
        return _heavy


def _lower_priority() -> None:
    """Nice this thread alone (Linux applies PRIO_PROCESS to a thread id); elsewhere, or
    without the call, the pool still keeps heavy work apart."""
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + HEAVY_NICE)


class Gauge:
    """Which pool a session's next call goes to, from what its last call cost."""

    def __init__(self) -> None:
        self.heavy = False
        self.last_cpu_s = 0.0

    async def run(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread of the session's pool; measures its CPU time."""

        def timed() -> T:
            t0 = time.thread_time()
            try:
                return fn()
            finally:
                self.last_cpu_s = time.thread_time() - t0
                self.heavy = self.last_cpu_s > HEAVY_CPU_S

        if not self.heavy:
            return await asyncio.to_thread(timed)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(heavy_pool(), timed)
