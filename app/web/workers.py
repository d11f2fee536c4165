"""Worker processes: one server, several processes, sessions that each live in one of them.

`python -m app --workers N` runs N uvicorn worker processes on one port; the kernel hands
each new connection (a tab's WebSocket) to one of them, and the session lives there for the
socket's life. What the processes share is a directory (BP_WORKERS_DIR) holding:
- `slot-<i>` files, one per allowed session (BP_MAX_SESSIONS): a session holds one under an
  exclusive flock, so the limit holds across processes, and a crashed process frees its
  slots with no clean-up (the kernel drops its locks);
- `s-<session id>` files naming the Unix socket of the process that owns the session, where
  each worker also serves the app. A session-bound HTTP request (an upload) that reaches
  another process is passed on to the owner over that socket: routing by session id.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import uvicorn

from app.errors import ClientError
from app.web.errors import error_response
from app.web.uploads import FORM_SLACK, too_large

SESSION_PATH = re.compile(r"^/api/sessions/([0-9a-f]{1,64})/")


class Registry:
    """The sessions of every worker process, through files in `root`."""

    def __init__(self, root: str | Path, max_sessions: int):
        self.root = Path(root)
        self.max_sessions = max_sessions
        self.socket_path = str(self.root / f"w-{os.getpid()}.sock")
        self._held: dict[str, int] = {}  # session id -> fd of its locked slot

    def claim(self, sid: str) -> bool:
        """Take a free slot for session `sid`; False when all BP_MAX_SESSIONS are taken."""
        for i in range(self.max_sessions):
            fd = os.open(self.root / f"slot-{i}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._held[sid] = fd
            try:
                (self.root / f"s-{sid}").write_text(self.socket_path)
            except OSError:  # e.g. a full disk: the slot goes back, it never leaks
                self.release(sid)
                raise
            return True
        return False

    def release(self, sid: str) -> None:
        fd = self._held.pop(sid, None)
        with contextlib.suppress(FileNotFoundError):
            (self.root / f"s-{sid}").unlink()
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock

    def count(self) -> int:
        """Sessions open in all processes: the slots someone holds."""
        taken = 0
        for slot in self.root.glob("slot-*"):
            fd = os.open(slot, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                taken += 1
            finally:
                os.close(fd)
        return taken

    def workers(self) -> int:
        """Worker processes serving now: each keeps a Unix socket here from the moment its
        port is open until it stops."""
        return len(list(self.root.glob("w-*.sock")))

    @staticmethod
    def forget(root: str | Path, pid: int) -> int:
        """After worker `pid` died without cleaning up: remove its socket and the records of
        its sessions (their slots were freed with its file locks). Returns sessions lost."""
        sock = str(Path(root) / f"w-{pid}.sock")
        lost = 0
        for record in Path(root).glob("s-*"):
            with contextlib.suppress(FileNotFoundError):
                if record.read_text() == sock:
                    record.unlink()
                    lost += 1
        with contextlib.suppress(FileNotFoundError):
            os.unlink(sock)
        return lost

    def owner(self, sid: str) -> str | None:
        """The Unix socket of the process that owns session `sid`, if it is open."""
        try:
            return (self.root / f"s-{sid}").read_text()
        except (FileNotFoundError, ValueError):
            return None


class ForwardToOwner:
    """ASGI middleware: an HTTP request for /api/sessions/<id>/... whose session lives in
    another worker process goes to that process over its Unix socket, answer and all."""

    def __init__(self, app, registry: Registry, sessions: dict, limit: int | None = None):
        self.app, self.registry, self.sessions = app, registry, sessions
        self.limit = limit  # bytes of body passed on at most (uploads: refused on the way)

    async def __call__(self, scope, receive, send) -> None:
        match = SESSION_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        owner = self.registry.owner(match.group(1)) if match else None
        if owner is None or match.group(1) in self.sessions or owner == self.registry.socket_path:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            event = await receive()
            body += event.get("body", b"")
            if self.limit is not None and len(body) > self.limit:
                err = too_large(self.limit - FORM_SLACK, len(body))
                await error_response(err)(scope, receive, send)
                return
            if not event.get("more_body"):
                break
        skip = (b"content-length", b"transfer-encoding")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in skip]
        url = (
            "http://worker"
            + scope["path"]
            + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")
        )
        transport = httpx.AsyncHTTPTransport(uds=owner)
        try:
            async with httpx.AsyncClient(transport=transport, timeout=120) as client:
                r = await client.request(scope["method"], url, headers=headers, content=bytes(body))
        except httpx.TransportError:  # its process died: the session went with it
            sid = match.group(1)
            err = ClientError("session", f"no open session {sid!r}", "no_session")
            await error_response(err)(scope, receive, send)
            return
        drop = ("content-length", "content-encoding", "transfer-encoding")
        out = [(k.encode(), v.encode()) for k, v in r.headers.items() if k not in drop]
        out.append((b"content-length", str(len(r.content)).encode()))
        await send({"type": "http.response.start", "status": r.status_code, "headers": out})
        await send({"type": "http.response.body", "body": r.content})


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the worker's main server."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


@contextlib.asynccontextmanager
async def owner_socket(app, registry: Registry) -> AsyncIterator[None]:
    """While the worker runs, it also serves `app` on its Unix socket (forwarded requests)."""
    config = uvicorn.Config(app, uds=registry.socket_path, log_level="warning", lifespan="off")
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 2)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(registry.socket_path)
