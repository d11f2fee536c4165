"""Memory back to the system after sessions end.

A heavy session's arrays (a 5,000-row batch through 8 x 256 layers: tens of MB each) are
freed when its tab closes, but glibc's malloc keeps freed heap pages for reuse, so the
worker's resident size stayed at 2.8-3.3 GB after heavy tabs closed. `trim()` collects
garbage and asks malloc to hand free pages back (malloc_trim, glibc only; elsewhere only
the collection runs). `soon()` runs it a moment after the last of a burst of closes, and
again a little later (a heavy slice under way when its tab closed ends at its next step).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import sys

DELAYS_S = (1.0, 8.0)  # after a close: the session's last references are gone by then


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


_TRIM = _malloc_trim()
_pending: list[asyncio.TimerHandle] = []


def trim() -> None:
    """Free what is unreachable and give free heap pages back to the system."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)


def soon() -> None:
    """trim() in a worker thread after each of DELAYS_S (a new call restarts the count).
    Call from the event loop."""
    loop = asyncio.get_running_loop()
    for handle in _pending:
        handle.cancel()
    _pending[:] = [
        loop.call_later(delay, lambda: loop.run_in_executor(None, trim)) for delay in DELAYS_S
    ]
