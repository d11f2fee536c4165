"""The FastAPI application: the page, Plotly.js from the installed package, the socket."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.errors import ClientError
from app.web import assets, errors, warmup
from app.web.checkpoints import CheckpointStore, sweep_every
from app.web.class_routes import router as class_router
from app.web.class_routing import make_classes
from app.web.hosts import HostGuard, OriginGuard, allowed_hosts
from app.web.paths import PLOTLY_JS
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

    # Session checkpoints (runs survive a crash or restart) and class records, swept of
    # expired ones.
    ttl = settings.checkpoint_ttl_s
    store = CheckpointStore(settings.state_dir, ttl) if settings.state_dir else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        threading.Thread(target=warmup.warm, daemon=True).start()  # before the 1st visit
        kept = [x for x in (store, app.state.classes.records) if x is not None]
        sweepers = [asyncio.create_task(sweep_every(x, min(3600.0, ttl / 4))) for x in kept]
        try:
            if registry is None:
                yield
                return
            async with owner_socket(app, registry):
                yield
        finally:
            for sweeper in sweepers:
                sweeper.cancel()

    # No Swagger UI or ReDoc: they load their scripts from a CDN, and the app works offline.
    # The API's description stays at /openapi.json; docs/protocol.md tells it in words.
    app = FastAPI(title="Backprop Playground", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.sessions = {}
    app.state.registry = registry
    app.state.checkpoints = store
    app.state.classes = make_classes(app)  # teacher mode: app/web/classroom.py
    if registry is not None:
        limit = settings.max_upload_bytes + FORM_SLACK
        app.add_middleware(
            ForwardToOwner, registry=registry, sessions=app.state.sessions, limit=limit
        )
    errors.install(app)  # every refusal, FastAPI's own included, in the app's error shape
    s = app.state.settings
    app.add_middleware(OriginGuard, allowed=s.allowed_origins)  # posts from other sites
    app.add_middleware(HostGuard, allowed=allowed_hosts(s.host, s.allowed_hosts))
    app.include_router(http_router)
    app.include_router(class_router)  # teacher mode
    app.include_router(ws_router)

    @app.api_route("/static/{rel:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def get_static(request: Request, rel: str) -> Response:
        """A page file, gzipped once; immutable at its versioned URL (see app/web/assets.py).
        Answered on the event loop when it is compressed already (the page asks for ~45 at
        once: a thread each cost them ~1 ms more on a busy machine)."""
        path = assets.static_file(rel)
        if path is None:
            raise ClientError("path", f"no static file {rel!r}", "not_found")
        asset = assets.ready(path) or await asyncio.to_thread(assets.load, path)
        return assets.respond(request, asset)

    @app.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    def get_plotly(request: Request) -> Response:
        """Plotly.js, served from the installed plotly package: the page works offline."""
        return assets.respond(request, assets.load(PLOTLY_JS))

    return app
