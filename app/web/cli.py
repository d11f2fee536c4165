"""`python -m app` / `backprop-playground`: serve the playground with uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import webbrowser

import uvicorn

from app.training import shell
from app.web.app import create_app
from app.web.settings import Settings


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("train", "export"):  # the shell tools; no argument: serve
        sys.exit(shell.main(argv))
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="backprop-playground", description="Watch a NumPy neural network learn."
    )
    parser.add_argument(
        "--host",
        default=defaults.host,
        help="interface to bind (default %(default)s: this machine only)",
    )
    parser.add_argument("--port", type=int, default=defaults.port, help="default %(default)s")
    parser.add_argument("--open", action="store_true", help="open a browser tab")
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.default_workers,
        help="server processes; each tab's session lives in one (default %(default)s: "
        "one per core, or BP_WORKERS)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64:
        parser.error(f"--workers must be between 1 and 64; got {args.workers}")
    settings = defaults.model_copy(update={"host": args.host, "port": args.port})
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    print(
        f"Backprop Playground on {url}  ({args.workers} worker process"
        f"{'es' if args.workers > 1 else ''}; Ctrl+C to stop)",
        flush=True,
    )
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    serve(settings, args.workers)


def serve(settings: Settings, workers: int) -> None:
    """uvicorn with one process, or `workers` processes sharing a directory (sessions are
    counted and found across them: app/web/workers.py)."""
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "ws_max_size": settings.transport_bytes,
        "timeout_graceful_shutdown": 1,  # SIGTERM: open sockets get a second to close
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    with tempfile.TemporaryDirectory(prefix="backprop-") as shared:
        # Worker processes build their app from the environment (BP_*), as Settings reads it.
        os.environ.update(BP_HOST=settings.host, BP_PORT=str(settings.port), BP_WORKERS_DIR=shared)
        uvicorn.run("app.web.app:create_app", factory=True, workers=workers, **options)
