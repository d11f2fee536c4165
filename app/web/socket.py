"""The WebSocket endpoint: accept, greet, loop, and always clean up."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app import __version__
from app.errors import ClientError
from app.training.live.config import catalogue
from app.web import memory, messages
from app.web.errors import error_message
from app.web.hosts import origin_allowed
from app.web.runner import SessionRunner

router = APIRouter()

CLOSE_POLICY = 1008  # foreign origin
CLOSE_FULL = 1013  # try again later
# Names this server process in `hello` (tabs of one process share it) without saying its
# PID, which is nothing a page needs to know.
WORKER = secrets.token_hex(4)


def _origin_ok(ws: WebSocket, allowed: list[str]) -> bool:
    """Same-origin pages (and non-browser clients, which send no Origin) may connect."""
    return origin_allowed(ws.headers.get("origin"), ws.headers.get("host", ""), allowed)


@router.websocket("/ws")
async def ws_session(ws: WebSocket) -> None:
    """One tab, one training session, for as long as the socket is open."""
    settings = ws.app.state.settings
    sessions: dict = ws.app.state.sessions
    if not _origin_ok(ws, settings.allowed_origins):
        await ws.close(code=CLOSE_POLICY, reason="foreign origin")
        return
    await ws.accept()
    sid = secrets.token_hex(8)
    registry = ws.app.state.registry  # worker processes: the limit holds across them
    full = not registry.claim(sid) if registry else len(sessions) >= settings.max_sessions
    if full:
        msg = f"Server is full: {settings.max_sessions} sessions at most; try again later"
        err = ClientError(None, msg, "server_full", {"max": settings.max_sessions})
        await ws.send_json(error_message(err))
        await ws.close(code=CLOSE_FULL, reason=msg[:120])
        return
    runner = SessionRunner(sid, ws.send_text, settings.frame_rate, lambda: len(sessions))
    sessions[sid] = runner
    trainer = reader = None

    def end() -> None:
        """The tab is gone: stop its work and free its slot (at once, even while one of its
        messages is still being handled)."""
        runner.close()
        sessions.pop(sid, None)
        if registry:
            registry.release(sid)

    try:
        await runner.start(
            {
                "type": "hello",
                "session": sid,
                "version": __version__,
                "worker": WORKER,  # the server process the session lives in
                "catalogue": _catalogue(settings),
            }
        )
        trainer = asyncio.create_task(runner.train_loop())
        inbox: asyncio.Queue = asyncio.Queue(INBOX)
        reader = asyncio.create_task(_read(ws, inbox, end))
        while (event := await inbox.get()) is not None and not runner.closed:
            frame = event.get("text")
            if frame is None:
                frame = event.get("bytes") or b""
            try:
                msg = messages.parse(frame, settings.max_message_bytes)
            except ClientError as e:
                await runner.error(e)
                continue
            await runner.handle(msg)
    except WebSocketDisconnect:
        pass
    finally:
        end()
        for task in (reader, trainer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        memory.soon()  # a closed heavy session's memory goes back to the system


INBOX = 64  # messages read ahead of the one being handled (then reading waits)


async def _read(ws: WebSocket, inbox: asyncio.Queue, end) -> None:
    """Read the socket into `inbox` while messages are handled; at the close, end() the
    session and put None."""
    try:
        while (event := await ws.receive())["type"] != "websocket.disconnect":
            await inbox.put(event)
    except (WebSocketDisconnect, RuntimeError):  # RuntimeError: already disconnected
        pass
    finally:
        end()
        with contextlib.suppress(asyncio.QueueFull):  # full: the loop sees runner.closed
            inbox.put_nowait(None)


_CATALOGUE: dict | None = None


def _catalogue(settings) -> dict:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = catalogue()
    return {
        **_CATALOGUE,
        "limits": {
            "upload_bytes": settings.max_upload_bytes,
            "message_bytes": settings.max_message_bytes,
            "frame_rate": settings.frame_rate,
        },
    }
