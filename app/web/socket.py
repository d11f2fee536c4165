"""The WebSocket endpoint: accept, greet, loop, and always clean up."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app import __version__
from app.errors import ClientError
from app.training.live.config import catalogue
from app.web import class_routing, memory, messages
from app.web.checkpoints import SESSION_ID, Checkpointer, CheckpointStore, restore, snapshot
from app.web.class_routing import home
from app.web.class_socket import leave, student_message, teacher_socket, watch_socket
from app.web.classroom import normalize
from app.web.errors import error_message
from app.web.hosts import origin_allowed
from app.web.runner import SessionRunner

router = APIRouter()

CLOSE_POLICY = 1008  # foreign origin
CLOSE_FULL = 1013  # try again later
CLOSING_WAIT_S = 2.0  # a reloaded tab waits this long at most for its old socket to close
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
    params = ws.query_params
    registry = ws.app.state.registry  # worker processes: the limit holds across them
    code = normalize(params.get("class", ""))
    if registry and code:  # a class lives in one worker: go there (app/web/class_routing.py)
        owner = home(ws.app, code)
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
    store: CheckpointStore | None = ws.app.state.checkpoints
    sid = await _resumable(ws, store) or secrets.token_hex(8)
    try:
        full = not registry.claim(sid) if registry else len(sessions) >= settings.max_sessions
    except OSError as e:  # the shared folder refused the session's record: no slot taken
        err = ClientError(
            None, f"the server cannot open a session now ({e.strerror})", "server_full"
        )
        await ws.send_json(error_message(err))
        await ws.close(code=CLOSE_FULL, reason="cannot record the session")
        return
    if full:
        msg = f"Server is full: {settings.max_sessions} sessions at most; try again later"
        err = ClientError(None, msg, "server_full", {"max": settings.max_sessions})
        await ws.send_json(error_message(err))
        await ws.close(code=CLOSE_FULL, reason=msg[:120])
        return
    try:
        restored = await asyncio.to_thread(restore, store, sid) if store else None
    except BaseException:  # cancelled (a shutdown): the slot must not leak
        if registry:
            registry.release(sid)
        raise
    session, state = restored or (None, "running")
    runner = SessionRunner(
        sid, ws.send_text, settings.frame_rate, lambda: len(sessions), session=session
    )
    if params.get("plane") == "page":  # the page draws small planes: small frames from the 1st
        runner.session.frames.set_view(plane="page")
    sessions[sid] = runner
    if store is not None:

        def take() -> str:  # in the Checkpointer's thread
            return snapshot(runner.session, "running" if runner.playing else "paused")

        runner.checkpoints = Checkpointer(
            store,
            sid,
            take,
            settings.checkpoint_every_s,
            runner.checkpoints_off,
            runner.checkpoints_on,
        )
    trainer = reader = None

    def free() -> None:
        sessions.pop(sid, None)
        if registry:
            registry.release(sid)

    def end() -> None:
        """The tab is gone: stop its work and free its slot (at once, even while one of its
        messages is still being handled; after its last checkpoint when it has them, so a
        reconnect finds its newest state)."""
        runner.close()
        if runner.checkpoints is None:
            free()

    try:
        await runner.start(
            {
                **_hello(settings),
                "session": sid,
                "resumed": {"step": session.step} if session is not None else None,
            },
            # A new session opened by a link (`?start=paused`) waits for the link's config
            # and its `play`, so its first step is the linked run's, not the default's.
            play=state == "running"
            and (session is not None or ws.query_params.get("start") != "paused"),
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
        end()
        for task in (reader, trainer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if runner.checkpoints is not None:  # the last state, for a reload or a reconnect
            runner.playing = runner.played
            with contextlib.suppress(Exception):
                await runner.checkpoints.close()
        free()
        memory.soon()  # a closed heavy session's memory goes back to the system


async def _resumable(ws: WebSocket, store: CheckpointStore | None) -> str | None:
    """The session id the tab asks to resume (`/ws?session=<id>`), when it has a checkpoint
    and is not open in another tab. A session still open is waited for a moment: a reloaded
    tab's old socket may close just after the new one opens; a duplicated tab gets a new
    session when the wait is over."""
    wanted = ws.query_params.get("session", "")
    if store is None or not SESSION_ID.fullmatch(wanted):
        return None
    sessions, registry = ws.app.state.sessions, ws.app.state.registry
    for _ in range(int(CLOSING_WAIT_S / 0.05)):
        here = sessions.get(wanted)
        elsewhere = registry is not None and registry.owner(wanted) is not None
        if here is None and not elsewhere:
            return wanted if store.path(wanted).exists() else None
        await asyncio.sleep(0.05)
    return None


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


def _hello(settings) -> dict:
    return {
        "type": "hello",
        "version": __version__,
        "worker": WORKER,  # the server process the session lives in (a tag, not its PID)
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
