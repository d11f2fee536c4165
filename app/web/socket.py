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
from app.web import class_routing, messages
from app.web.class_socket import leave, student_message, teacher_socket, watch_socket
from app.web.classroom import normalize
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
    params = ws.query_params
    registry = ws.app.state.registry  # worker processes: the limit holds across them
    code = normalize(params.get("class", ""))
    if registry and code:  # a class lives in one worker: go there (app/web/class_routing.py)
        owner = class_routing.owner(registry, code)
        if owner not in (None, registry.socket_path) and await class_routing.forward(
            ws, owner, settings.transport_bytes
        ):
            return
    await ws.accept()
    if "teach" in params:  # the teacher page: a class, no training session of its own
        await teacher_socket(ws, _hello(settings))
        return
    if "watch" in params:  # the spotlight: a student's session, read-only
        await watch_socket(ws, code, params["watch"], _hello(settings))
        return
    sid = secrets.token_hex(8)
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
        await runner.start({**_hello(settings), "session": sid})
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
            if msg.type.startswith("class_"):  # teacher mode: app/web/class_socket.py
                try:
                    await student_message(ws.app, runner, msg)
                except ClientError as e:
                    await runner.error(e)
                continue
            await runner.handle(msg)
    except WebSocketDisconnect:
        pass
    finally:
        leave(ws.app, sid)
        runner.close()
        sessions.pop(sid, None)
        if registry:
            registry.release(sid)
        if trainer is not None:
            trainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await trainer


def _hello(settings) -> dict:
    return {
        "type": "hello",
        "version": __version__,
        "worker": os.getpid(),  # the server process the session lives in
        "catalogue": _catalogue(settings),
    }


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
