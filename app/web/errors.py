"""The one encoder of client errors: an `error` message on the socket, and the same object
under "error" in an HTTP response. Every refusal leaves the server through here."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.errors import ClientError, explain

# HTTP status per code; anything not listed is 400.
HTTP_STATUS = {
    "no_session": 404,
    "not_found": 404,
    "origin_not_allowed": 403,
    "too_large": 413,
    "server_full": 503,
}


def error_message(err: ClientError) -> dict[str, Any]:
    """The socket's `error`: {"type": "error", "code", "field", "message", "params"}."""
    return {"type": "error", **err.as_dict()}


def error_response(err: ClientError) -> JSONResponse:
    """The routes' refusal: {"error": {"code", "field", "message", "params"}}. A body too
    large is not read on: the connection closes after the answer."""
    headers = {"connection": "close"} if err.code == "too_large" else None
    return JSONResponse({"error": err.as_dict()}, HTTP_STATUS.get(err.code, 400), headers)


def install(app) -> None:
    """Make FastAPI's own refusals (404, 405, 422) speak the same shape."""

    @app.exception_handler(ClientError)
    async def on_client_error(_: Request, exc: ClientError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(HTTPException)
    async def on_http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "invalid_value"
        body = ClientError(None, str(exc.detail), code, {"status": exc.status_code}).as_dict()
        return JSONResponse({"error": body}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(explain(exc.errors(), skip=1))  # loc starts "body", "query"...
