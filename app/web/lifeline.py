"""A worker process does not outlive its supervisor.

The supervisor (`python -m app` with several workers) keeps the write end of a pipe that
only it holds; each worker reads the other end. The read returns (end of file) the moment
the supervisor is gone, however it died, kill -9 included: the worker then stops as on
SIGTERM (open sockets get a second) and, should that hang, exits GRACE_S later.
"""

from __future__ import annotations

import os
import signal
import threading

GRACE_S = 3.0


def watch(fd: int) -> threading.Thread:
    """Stop this process when the pipe's write end closes."""

    def wait() -> None:
        while True:
            try:
                if not os.read(fd, 1):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        killer = threading.Timer(GRACE_S, os._exit, [1])
        killer.daemon = True
        killer.start()
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=wait, name="bp-lifeline", daemon=True)
    thread.start()
    return thread
