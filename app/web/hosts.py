"""The Host allow-list, for HTTP and WebSocket alike: a page on another name (DNS
rebinding: evil.example resolving to 127.0.0.1) cannot reach the server even when its Origin
and Host agree. Allowed: 127.0.0.1, localhost, ::1, the address the server binds, and
BP_ALLOWED_HOSTS ("*" allows any)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import ClientError, got
from app.web.errors import error_response

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
CLOSE_POLICY = 1008


def host_name(host_header: str) -> str:
    """'LocalHost:8000' -> 'localhost'; '[::1]:8000' -> '::1'."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1 : h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def allowed_hosts(bind: str, extra: Iterable[str]) -> frozenset[str]:
    names = {*LOOPBACK, *(host_name(h) for h in extra if h.strip())}
    if bind not in WILDCARDS:
        names.add(host_name(bind))
    return frozenset(names)


class HostGuard:
    """ASGI middleware: a request whose Host is not allowed gets `host_not_allowed` (HTTP
    400) or a 1008 close before the WebSocket is accepted."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]):
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if host_name(host) in self.allowed:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send(
                {"type": "websocket.close", "code": CLOSE_POLICY, "reason": "host not allowed"}
            )
            return
        err = ClientError(
            "host",
            f"host {got(host)!r} is not allowed; open the playground at 127.0.0.1 or "
            "localhost, or list this name in BP_ALLOWED_HOSTS",
            "host_not_allowed",
            {"got": got(host)},
        )
        await error_response(err)(scope, receive, send)
