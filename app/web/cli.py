"""`python -m app` / `backprop-playground`: serve the playground with uvicorn."""

from __future__ import annotations

import argparse
import sys
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
    args = parser.parse_args(argv)
    settings = defaults.model_copy(update={"host": args.host, "port": args.port})
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    print(f"Backprop Playground on {url}  (Ctrl+C to stop)", flush=True)
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=settings.transport_bytes,
        timeout_graceful_shutdown=1,  # SIGTERM: open sockets get a second to close
    )
