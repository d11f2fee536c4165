"""HTTP routes: the page, the catalogue, uploads, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from app import __version__
from app.errors import ClientError, got
from app.training.live.config import catalogue
from app.training.takehome.run_schema import parse_run
from app.training.teaching.lessons import lessons
from app.web import assets
from app.web.paths import TEMPLATES_DIR
from app.web.uploads import load_upload, read_upload

router = APIRouter()
# The page's modules, the first picture's first (main.js's imports): their whole graph is
# preloaded from <head>. (early.js, which opens the socket, is inline in the page.)
PAGE_MODULES = (
    "js/main.js",
    "js/layout.js",
    "js/node_pictures.js",
    "js/start.js",
    "js/stepper.js",
    "js/lab.js",
)
templates = Jinja2Templates(directory=TEMPLATES_DIR)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_page(request: Request) -> Response:
    """The playground page: its files at versioned URLs, itself revalidated (ETag)."""
    imports = assets.import_map()
    html = templates.get_template("index.html").render(
        version=__version__,
        plotly_src=assets.plotly_url(),
        static=assets.versioned,
        importmap=imports,
        modulepreload=assets.modulepreload(PAGE_MODULES, imports),
        early_js=assets.text("js/early.js"),
    )
    return assets.page(request, html)


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
    """Liveness, the number of open sessions and of worker processes serving."""
    registry = request.app.state.registry  # worker processes: count them all
    sessions = registry.count() if registry else len(request.app.state.sessions)
    workers = registry.workers() if registry else 1
    return {"ok": True, "sessions": sessions, "workers": workers, "version": __version__}


@router.post(
    "/api/sessions/{session_id}/upload",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "label_column": {"type": "string"},
                            "task": {
                                "type": "string",
                                "enum": ["auto", "classification", "regression"],
                            },
                        },
                    }
                }
            }
        }
    },
)
async def post_upload(request: Request, session_id: str) -> JSONResponse:
    """Load a CSV (form part `file`, optional `label_column` and `task`) as the session's
    data; the socket then gets the dataset and a frame. The size limit holds while the body
    streams."""
    runner = request.app.state.sessions.get(session_id)
    if runner is None:
        raise ClientError("session", f"no open session {got(session_id)!r}", "no_session")
    upload = await read_upload(request, request.app.state.settings.max_upload_bytes)
    return JSONResponse(await load_upload(runner, upload))


@router.post("/api/sessions/{session_id}/run")
async def post_run(request: Request, session_id: str) -> JSONResponse:
    """Open a saved run file (form part `file`, any size up to the upload limit; the
    socket's `load` message carries small ones). The socket then gets the dataset, status
    and a frame."""
    runner = request.app.state.sessions.get(session_id)
    if runner is None:
        raise ClientError("session", f"no open session {got(session_id)!r}", "no_session")
    upload = await read_upload(request, request.app.state.settings.max_upload_bytes)
    run = parse_run(upload.data)  # bad_run for anything but a run (runner.load_run checks)
    await runner.load_run(run)
    return JSONResponse({"ok": True, "step": runner.session.step})
