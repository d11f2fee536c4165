"""Teacher mode's HTTP routes: the teacher page, and the QR code of a join link."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app import __version__
from app.web import qr
from app.web.classroom import ALPHABET
from app.web.routes import templates

router = APIRouter()
QR_TEXT = 200  # characters of a link at most (a QR of level M, version 10, holds 213 bytes)


@router.get("/teach", response_class=HTMLResponse, include_in_schema=False)
def get_teach(request: Request) -> HTMLResponse:
    """The teacher page: open a class, show its code, see and lead every student's run."""
    return templates.TemplateResponse(
        request, "teach.html", {"version": __version__, "alphabet": ALPHABET}
    )


@router.get("/api/qr", responses={200: {"content": {"image/svg+xml": {}}}})
def get_qr(text: str = Query(min_length=1, max_length=QR_TEXT)) -> Response:
    """`text` (a join link) as a QR code in SVG, drawn here: the page needs no internet."""
    return Response(
        qr.svg(text), media_type="image/svg+xml", headers={"cache-control": "max-age=3600"}
    )
