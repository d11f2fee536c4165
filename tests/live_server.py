"""A real server on a free loopback port, for the web and browser tests: uvicorn in a
thread of the test (`LiveServer`), or `python -m app` as a user starts it (`start_app`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import httpx
import uvicorn

from app.web.app import create_app
from app.web.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn in a background thread; `url` is its http base address."""

    def __init__(self, settings: Settings):
        self.port = settings.port or free_port()
        settings = settings.model_copy(update={"port": self.port})
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_max_size=settings.transport_bytes,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_app(
    stdout=subprocess.DEVNULL,
    args: tuple[str, ...] = (),
    env: dict | None = None,
    port: int = 0,
    workers: int = 0,
    cwd=None,
) -> tuple[subprocess.Popen, int]:
    """`python -m app` (with `args`, `env`, in `cwd`) on a free port or `port`, as a user
    starts it (stderr piped, text); returns the process and its port once it accepts
    connections. With `workers`: started with `--workers N`, returned once /api/health counts
    N workers (the first one up would otherwise get every tab)."""
    port = port or free_port()
    if workers:
        args = ("--workers", str(workers), *args)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if workers:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()
                ready = health["workers"] == workers
            else:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                ready = True
        except (OSError, httpx.HTTPError):
            ready = False
        if ready:
            return proc, port
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            err = proc.communicate()[1][-2000:]
            raise AssertionError(f"server did not start ({proc.returncode}): {err}")
        time.sleep(0.1)


def stop_app(proc: subprocess.Popen, timeout: float = 30) -> str:
    """SIGTERM, as a user's Ctrl-C or a service manager stops it; its stderr once stopped."""
    proc.terminate()
    return proc.communicate(timeout=timeout)[1]
