"""The Host allow-list, for HTTP and WebSocket alike: a page on another name (DNS
rebinding: evil.example resolving to 127.0.0.1) cannot reach the server even when its Origin
and Host agree. Allowed: 127.0.0.1, localhost, ::1, the address the server binds, and
BP_ALLOWED_HOSTS ("*" allows any). A Host header is parsed strictly (`name[:port]` or
`[v6]:port`); anything else (`[::1]evil.example`) is refused.

And the Origin check for requests that change something (uploads, opening a run): a page
of another site may not post to a session, as it may not open /ws (app/web/socket.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlparse

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import ClientError, got
from app.web.errors import error_response

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
CLOSE_POLICY = 1008


HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def host_name(host_header: str) -> str:
    """'LocalHost:8000' -> 'localhost'; '[::1]:8000' -> '::1'; "" for anything that is not
    a host and an optional port ('[::1]evil.example', 'a b', 'x:y')."""
    m = HOST.fullmatch(host_header.strip().lower())
    return (m["v6"] or m["name"]) if m else ""


def _entry(name: str) -> str:
    """A configured name or address: as a Host header has it, or a bare IPv6 address."""
    name = name.strip().lower()
    return name if name == "*" or name.count(":") > 1 and "[" not in name else host_name(name)


def allowed_hosts(bind: str, extra: Iterable[str]) -> frozenset[str]:
    names = {*LOOPBACK, *(_entry(h) for h in extra)}
    if bind not in WILDCARDS:
        names.add(_entry(bind))
    return frozenset(names - {""})


def origin_allowed(origin: str | None, host: str, allowed: Iterable[str]) -> bool:
    """Same-origin pages (and non-browser clients, which send no Origin) may act; so may the
    origins listed in BP_ALLOWED_ORIGINS."""
    if origin is None or origin in allowed:
        return True
    return bool(host) and urlparse(origin).netloc == host


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


class OriginGuard:
    """ASGI middleware: a request that changes something (not GET, HEAD or OPTIONS) from a
    page of another origin gets `origin_not_allowed` (HTTP 403) and changes nothing."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]):
        self.app = app
        self.allowed = list(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin_allowed(origin, headers.get("host", ""), self.allowed):
            await self.app(scope, receive, send)
            return
        err = ClientError(
            "origin",
            f"requests from {got(origin)!r} are not allowed: only the playground's own page "
            "(or an origin listed in BP_ALLOWED_ORIGINS) may change a session",
            "origin_not_allowed",
            {"got": got(origin)},
        )
        await error_response(err)(scope, receive, send)
