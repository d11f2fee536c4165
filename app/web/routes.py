"""HTTP routes: the page, the catalogue, uploads, health."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.data import parse_csv
from app.errors import ClientError, got
from app.training.config import catalogue
from app.training.lessons import lessons
from app.web.paths import TEMPLATES_DIR

router = APIRouter()
templates = Jinja2Templates(directory=TEMPLATES_DIR)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_page(request: Request) -> HTMLResponse:
    """The playground page."""
    return templates.TemplateResponse(
        request, "index.html", {"version": __version__, "plotly_src": "/vendor/plotly.min.js"}
    )


@router.get("/api/catalogue")
def get_catalogue() -> dict[str, Any]:
    """Every config option with its bounds and default, and the datasets."""
    return catalogue()


@router.get("/api/lessons")
def get_lessons() -> list[dict[str, Any]]:
    """The guided experiments: config, variant to try, panel to watch (words: static/i18n)."""
    return lessons()


@router.get("/api/health")
def get_health(request: Request) -> dict[str, Any]:
    """Liveness and the number of open sessions."""
    registry = request.app.state.registry  # worker processes: count them all
    sessions = registry.count() if registry else len(request.app.state.sessions)
    return {"ok": True, "sessions": sessions, "version": __version__}


@router.post("/api/sessions/{session_id}/upload")
async def post_upload(
    request: Request,
    session_id: str,
    file: Annotated[UploadFile, File()],
    label_column: Annotated[str | None, Form()] = None,
    task: Annotated[str, Form()] = "auto",
) -> JSONResponse:
    """Load a CSV as the session's data; the socket then gets the dataset and a frame."""
    runner = request.app.state.sessions.get(session_id)
    if runner is None:
        raise ClientError("session", f"no open session {got(session_id)!r}", "no_session")
    limit = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ClientError(
            "file", f"file must be at most {limit:,} bytes", "too_large", {"max": limit}
        )
    seed, frac = runner.session.config.seed, runner.session.config.train_fraction
    ds = await asyncio.to_thread(
        parse_csv, data, label_column or None, frac, seed, None, "upload", task
    )
    await runner.load_dataset(ds)
    return JSONResponse(
        {
            "ok": True,
            "n_train": len(ds.y_train),
            "n_test": len(ds.y_test),
            "n_classes": ds.n_classes,
            "n_features": ds.n_features,
            "task": ds.task,
        }
    )


@router.post("/api/sessions/{session_id}/run")
async def post_run(
    request: Request, session_id: str, file: Annotated[UploadFile, File()]
) -> JSONResponse:
    """Open a saved run file (any size up to the upload limit; the socket's `load` message
    carries small ones). The socket then gets the dataset, status and a frame."""
    runner = request.app.state.sessions.get(session_id)
    if runner is None:
        raise ClientError("session", f"no open session {got(session_id)!r}", "no_session")
    limit = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ClientError(
            "file", f"file must be at most {limit:,} bytes", "too_large", {"max": limit}
        )
    try:
        run = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ClientError(
            "file", f"a run file must be JSON: {e}", "invalid_json", {"reason": "syntax"}
        ) from e
    await runner.load_run(run)
    return JSONResponse({"ok": True, "step": runner.session.step})
