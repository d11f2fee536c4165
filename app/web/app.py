"""The FastAPI application: the page, Plotly.js from the installed package, the socket."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from app.web import errors
from app.web.class_routes import router as class_router
from app.web.class_socket import make_classes
from app.web.hosts import HostGuard, allowed_hosts
from app.web.paths import PLOTLY_JS, STATIC_DIR
from app.web.routes import router as http_router
from app.web.settings import Settings
from app.web.socket import router as ws_router
from app.web.uploads import FORM_SLACK
from app.web.workers import ForwardToOwner, Registry, owner_socket


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; tests make one each with their own settings."""
    settings = settings or Settings()
    # One of several worker processes (python -m app --workers N): sessions are counted and
    # found across processes through the shared directory.
    registry = (
        Registry(settings.workers_dir, settings.max_sessions) if settings.workers_dir else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if registry is None:
            yield
            return
        async with owner_socket(app, registry):
            yield

    app = FastAPI(
        title="Backprop Playground", docs_url="/api/docs", redoc_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.sessions = {}
    app.state.registry = registry
    app.state.classes = make_classes(app)  # teacher mode: app/web/classroom.py
    if registry is not None:
        limit = settings.max_upload_bytes + FORM_SLACK
        app.add_middleware(
            ForwardToOwner, registry=registry, sessions=app.state.sessions, limit=limit
        )
    errors.install(app)  # every refusal, FastAPI's own included, in the app's error shape
    s = app.state.settings
    app.add_middleware(HostGuard, allowed=allowed_hosts(s.host, s.allowed_hosts))
    app.include_router(http_router)
    app.include_router(class_router)  # teacher mode
    app.include_router(ws_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def get_plotly() -> FileResponse:
        """Plotly.js, served from the installed plotly package: the page works offline."""
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    return app
