"""Training in slices: at most SLICE_S seconds of steps at a time, so the session's lock is
free between two slices and every message is answered within one slice (plus one step)."""

from __future__ import annotations

import threading
import time

SLICE_S = 0.03  # longest stretch of training between two looks at the messages
PROGRESS_S = 0.25  # a long `step n` sends a progress frame this often


def advance_for(session, n: int, stop: threading.Event, budget: float = SLICE_S) -> int:
    """Up to n steps of `session` for at most about `budget` seconds (at least one step);
    returns the steps taken. Stops early when `stop` is set or on divergence. Call holding
    the session's lock."""
    start = time.monotonic()
    end, done, batch = start + budget, 0, 1
    while done < n and not stop.is_set() and not session.diverged:
        t0 = time.monotonic()
        took = session.advance(min(batch, n - done), stop)
        done += took
        now = time.monotonic()
        if now >= end or not took:
            break
        # Steps in batches sized to what is left of the slice (at the last batch's pace).
        batch = max(1, int((end - now) / max((now - t0) / took, 1e-7) * 0.8))
    return done


def step_slice(session, n: int, show: bool, stop: threading.Event) -> tuple[int, dict | None]:
    """One slice of a `step n`: (steps taken, frame). The frame is the final paused one when
    the n steps are done, a progress frame (without the costly plane) when `show`, else
    None. Call holding the session's lock."""
    done = advance_for(session, n, stop)
    if done >= n or session.diverged or session.stopped:
        return done, session.frame("paused")
    if show:
        return done, session.frame("stepping", plane=False)
    return done, None
