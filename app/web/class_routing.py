"""A class lives in one worker process: its join code routes every socket of the class there.

With `--workers N` the kernel hands a new connection to any worker. The worker where a class
was opened writes `c-<code>` in the workers' shared directory (app/web/workers.py), naming
its Unix socket; a socket that carries `?class=<code>` and reaches another worker is passed
on to the owner over that socket, both ways, for its whole life (like an upload is routed
by session id). Behind nginx, replicas are chosen by the same code (deploy/nginx.conf).
A class whose worker died, or whose server restarted, is brought back from its record
(app/web/class_records.py) by the first worker a socket of the class reaches: `home`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from pathlib import Path

from fastapi import WebSocket
from websockets.asyncio.client import unix_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from app.errors import ClientError
from app.web.class_records import ClassRecords
from app.web.class_socket import orphaned
from app.web.classroom import Classes, is_code
from app.web.workers import Registry


def _record(registry: Registry, code: str):
    return registry.root / f"c-{code}"


def owner(registry: Registry, code: str) -> str | None:
    """The Unix socket of the worker holding class `code`, if that worker is alive."""
    try:
        sock = _record(registry, code).read_text()
    except (FileNotFoundError, ValueError):
        return None
    return sock if _alive(sock) else None


def _alive(sock: str) -> bool:
    """A worker that died leaves its socket file until the supervisor removes it: only one
    that accepts a connection counts."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(sock)
        except OSError:
            return False
    return True


def claim(registry: Registry, code: str) -> bool:
    """Record class `code` as this worker's; False when a live worker holds it already."""
    path = _record(registry, code)
    if owner(registry, code) not in (None, registry.socket_path):
        return False
    tmp = path.with_suffix(f".{os.getpid()}")
    tmp.write_text(registry.socket_path)
    os.replace(tmp, path)
    return owner(registry, code) == registry.socket_path


def release(registry: Registry, code: str) -> None:
    if owner(registry, code) == registry.socket_path:
        with contextlib.suppress(FileNotFoundError):
            _record(registry, code).unlink()


async def forward(ws: WebSocket, sock: str, max_size: int) -> bool:
    """Serve WebSocket `ws` from the worker listening on Unix socket `sock`: every message
    both ways, until either side closes. False (and `ws` untouched) when that worker is gone,
    so this one serves it."""
    query = ws.url.query
    uri = f"ws://{ws.headers.get('host', 'worker')}{ws.url.path}" + (f"?{query}" if query else "")
    try:
        up = await unix_connect(sock, uri, max_size=max_size, compression=None)
    except (OSError, ConnectionClosed, InvalidHandshake):
        return False  # died a moment ago: its class comes back here (class_records.py)
    await ws.accept()

    async def downward() -> None:
        async for data in up:
            if isinstance(data, str):
                await ws.send_text(data)
            else:
                await ws.send_bytes(data)

    async def upward() -> None:
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                return
            if event.get("text") is not None:
                await up.send(event["text"])
            elif event.get("bytes") is not None:
                await up.send(event["bytes"])

    tasks = [asyncio.create_task(downward()), asyncio.create_task(upward())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed, Exception):
                await t
        await up.close()
        with contextlib.suppress(Exception):
            await ws.close()  # the owner went away: the page reconnects, as after any loss
    return True


def make_classes(app) -> Classes:
    """The process's classes; with worker processes, codes are claimed across them. Their
    records are kept in the state folder (classes outlive a restart of the server), else in
    the workers' shared directory (they outlive a worker), else nowhere."""
    registry, settings = app.state.registry, app.state.settings
    if settings.state_dir:
        ttl = settings.checkpoint_ttl_s
        records = ClassRecords(Path(settings.state_dir) / "classes", ttl)
    else:
        records = ClassRecords(registry.root) if registry is not None else None
    if registry is None:
        return Classes(settings.class_size, records=records, restored=orphaned)
    return Classes(
        settings.class_size,
        taken=lambda c: owner(registry, c) is not None,
        claim=lambda c: claim(registry, c),
        release=lambda c: release(registry, c),
        records=records,
        restored=orphaned,
    )


def home(app, code: str) -> str | None:
    """The Unix socket of the worker that holds class `code`. A recorded class that no live
    worker holds (its process died, the server restarted) comes back in this one first, so
    the sockets of the class that reconnect at once, in any worker, all meet in one."""
    registry, classes = app.state.registry, app.state.classes
    sock = owner(registry, code)
    if sock is None and classes.records is not None and is_code(code):
        with contextlib.suppress(ClientError):  # no class behind the code: served here
            classes.find(code)  # claims the code here, unless another worker just did
        sock = owner(registry, code)
    return sock
