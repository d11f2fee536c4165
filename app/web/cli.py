"""`python -m app` / `backprop-playground`: serve the playground with uvicorn."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser

import uvicorn

from app.training.takehome import shell
from app.web import lifeline, rundirs
from app.web.app import create_app
from app.web.settings import Settings
from app.web.workers import Registry


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
    if not settings.workers_dir:  # not one of several workers: they would each say it
        plural = "es" if args.workers > 1 else ""
        print(
            f"Backprop Playground on {url}  ({args.workers} worker process{plural}; "
            "Ctrl+C to stop)",
            flush=True,
        )
        if args.host in ("0.0.0.0", "::") and not settings.allowed_hosts:
            print(
                "Other machines reach it by a name or address listed in BP_ALLOWED_HOSTS "
                "(e.g. BP_ALLOWED_HOSTS=192.168.1.20,lab.local)",
                flush=True,
            )
    if not settings.workers_dir:  # one server per port: a second start stops here
        taken = port_taken(settings.host, settings.port)
        if taken:
            sys.exit(
                f"cannot listen on {settings.host}:{settings.port}: {taken}. Is the playground "
                "already running there? Stop it, or choose another --port."
            )
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    serve(settings, args.workers)


def port_taken(host: str, port: int) -> str:
    """Why host:port cannot be served, or "" when it is free. The probe binds without
    SO_REUSEPORT, so it fails on any listening socket there, a playground's workers' too
    (which share the port with SO_REUSEPORT between themselves only)."""
    if port == 0:
        return ""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as err:
            return err.strerror or str(err)
    return ""


def serve(settings: Settings, workers: int) -> None:
    """uvicorn in this process, or `workers` processes sharing the port and a directory
    (sessions are counted and found across them: app/web/workers.py)."""
    if workers == 1:
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                host=settings.host,
                port=settings.port,
                log_level="warning",
                ws_max_size=settings.transport_bytes,
                timeout_graceful_shutdown=1,  # SIGTERM: open sockets get a second to close
            )
        )
        if not settings.workers_dir:
            server.run()
            return
        if settings.supervisor_fd is not None:  # end with the supervisor, however it dies
            lifeline.watch(settings.supervisor_fd)
        # A worker binds its own socket with SO_REUSEPORT: the kernel spreads new
        # connections evenly over the workers (one shared socket tends to feed one of them).
        try:
            sock = _listen(settings)
        except OSError as err:  # e.g. the port is taken by another program
            sys.exit(f"cannot listen on {settings.host}:{settings.port}: {err.strerror}")
        server.run(sockets=[sock])
        return
    # The workers share a run folder (removed at the end; a start removes a killed server's)
    # and hold its lock, and read a pipe whose end tells them the supervisor is gone.
    with rundirs.run_dir() as (shared, lock_fd):
        alive, alive_w = os.pipe()
        env = {
            **os.environ,
            "BP_WORKERS_DIR": shared,
            "BP_SUPERVISOR_FD": str(alive),
            **blas_threads(workers),
        }
        cmd = [sys.executable, "-m", "app", "--host", settings.host, "--port", str(settings.port)]
        fds = (alive, lock_fd)
        try:
            _supervise(
                lambda: subprocess.Popen([*cmd, "--workers", "1"], env=env, pass_fds=fds),
                workers,
                shared,
            )
        finally:
            os.close(alive)
            os.close(alive_w)


BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads(workers: int) -> dict[str, str]:
    """Each worker process's share of the cores for BLAS (unless the operator set one):
    N processes each running BLAS on every core would fight over them, and a light
    session's slice would wait for a core (app/web/pools.py)."""
    if any(k in os.environ for k in BLAS_ENV):
        return {}
    share = str(max(1, (os.cpu_count() or 1) // workers))
    return dict.fromkeys(BLAS_ENV, share)


QUICK_DEATH_S = 5.0  # a worker that dies this soon after its start did not get going
QUICK_DEATHS = 3  # ... and this many such deaths in a row end the server (e.g. port taken)
STOP_GRACE_S = 8.0  # after SIGTERM, a worker still running this much later is killed


def _supervise(start, n: int, shared: str) -> None:
    """Run n worker processes from start(). SIGTERM/SIGINT go on to every worker, which
    stop. A worker that dies otherwise is replaced at once: its tabs' sessions are lost
    (their pages say so and reconnect), the other workers' serve on."""
    procs = [(start(), time.monotonic()) for _ in range(n)]
    stopping = threading.Event()
    quick = 0

    def forward(signum, _frame) -> None:
        stopping.set()
        for p, _ in procs:
            if p.poll() is None:
                p.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while not stopping.wait(0.2):
        for i, (p, started) in enumerate(procs):
            if p.poll() is None or stopping.is_set():
                continue
            quick = quick + 1 if time.monotonic() - started < QUICK_DEATH_S else 0
            if quick >= QUICK_DEATHS:
                print(
                    f"worker processes keep exiting (code {p.returncode}): stopping",
                    file=sys.stderr,
                )
                forward(signal.SIGTERM, None)
                break
            lost = Registry.forget(shared, p.pid)
            print(
                f"worker process {p.pid} exited (code {p.returncode}), {lost} session(s) "
                "lost; starting another",
                file=sys.stderr,
                flush=True,
            )
            procs[i] = (start(), time.monotonic())
            if stopping.is_set():  # the signal came while it was starting: it stops too
                procs[i][0].send_signal(signal.SIGTERM)
    # Each worker writes its sessions' last checkpoints and exits (well under a second); one
    # that hangs (a step of a heavy run it cannot cut short) is killed STOP_GRACE_S later:
    # its checkpoints are at most 2 s old, and a stop must not hang a restart.
    deadline = time.monotonic() + STOP_GRACE_S
    for p, _ in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"worker process {p.pid} did not stop: killed", file=sys.stderr, flush=True)
            p.kill()
            p.wait()
    if quick >= QUICK_DEATHS:
        sys.exit(1)


def _listen(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
