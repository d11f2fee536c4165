"""The WebSocket endpoint: accept, greet, loop, and always clean up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app import __version__
from app.errors import ClientError
from app.training.live.config import catalogue
from app.web import messages
from app.web.errors import error_message
from app.web.runner import SessionRunner

router = APIRouter()

CLOSE_POLICY = 1008  # foreign origin
CLOSE_FULL = 1013  # try again later


def _origin_ok(ws: WebSocket, allowed: list[str]) -> bool:
    """Same-origin pages (and non-browser clients, which send no Origin) may connect."""
    origin = ws.headers.get("origin")
    if origin is None or origin in allowed:
        return True
    return urlparse(origin).netloc == ws.headers.get("host")


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
    trainer = None
    try:
        await runner.start(
            {
                "type": "hello",
                "session": sid,
                "version": __version__,
                "worker": os.getpid(),  # the server process the session lives in
                "catalogue": _catalogue(settings),
            }
        )
        trainer = asyncio.create_task(runner.train_loop())
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                break
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
        runner.close()
        sessions.pop(sid, None)
        if registry:
            registry.release(sid)
        if trainer is not None:
            trainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await trainer


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
