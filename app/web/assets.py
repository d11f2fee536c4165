"""The page's files on the wire: gzipped once, versioned by content, cached by the browser.

Every file under static/ and Plotly.js (from the installed plotly package, ~4.8 MB, ~1.5 MB
gzipped) is read, hashed and gzipped once per process, the first time it is asked for (or by
`warm` at startup), and again only when it changes on disk. A request then costs a dict
look-up, never a compression.

Caching: a URL that carries the file's content hash (`?v=<hash>`, see `versioned`) is
`immutable` for a year, so a return visit asks for nothing; any other URL (a stale hash, a
module imported without the import map, i18n JSON) is revalidated with its ETag and answered
304 when it has not changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from app.web.paths import PLOTLY_JS, STATIC_DIR

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # the browser may keep it, but asks (If-None-Match) before using it
GZIP_LEVEL = 9  # once per file and process: the smallest gzip is worth 0.1 s at startup
MIN_GZIP = 512  # smaller files are not worth a Content-Encoding
TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, their gzip (None: not worth it) and content hash."""

    body: bytes
    gz: bytes | None
    digest: str  # 12 hex digits of sha256: the `v` of versioned URLs and the ETag
    media_type: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when read


_cache: dict[Path, Asset] = {}
_lock = threading.Lock()


def load(path: Path) -> Asset:
    """The asset of file `path`, read and compressed only when new or changed on disk."""
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    asset = _cache.get(path)
    if asset is not None and asset.stamp == stamp:
        return asset
    with _lock:  # two first requests at once compress once
        asset = _cache.get(path)
        if asset is None or asset.stamp != stamp:
            body = path.read_bytes()
            gz = gzip.compress(body, GZIP_LEVEL, mtime=0) if len(body) >= MIN_GZIP else None
            media = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
            asset = Asset(
                body=body,
                gz=gz if gz is not None and len(gz) < len(body) else None,
                digest=hashlib.sha256(body).hexdigest()[:12],
                media_type=media or "application/octet-stream",
                stamp=stamp,
            )
            _cache[path] = asset
    return asset


def ready(path: Path) -> Asset | None:
    """The asset of `path` if it is read and compressed already and unchanged, else None."""
    asset = _cache.get(path)
    if asset is None:
        return None
    st = path.stat()
    return asset if asset.stamp == (st.st_mtime_ns, st.st_size) else None


def static_file(rel: str) -> Path | None:
    """The file static/<rel>, or None if there is none (or rel leaves static/)."""
    root = STATIC_DIR.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def versioned(rel: str) -> str:
    """URL of static/<rel> with its content hash: `/static/js/main.js?v=1a2b3c4d5e6f`."""
    return f"/static/{rel}?v={load(STATIC_DIR / rel).digest}"


def text(rel: str) -> str:
    """The text of static/<rel> (a module the page carries inline)."""
    return load(STATIC_DIR / rel).body.decode()


def plotly_url() -> str:
    return f"/vendor/plotly.min.js?v={load(PLOTLY_JS).digest}"


_map: tuple[float, str] = (-1.0, "")  # (when, import map): looked at again after MAP_TTL_S
MAP_TTL_S = 1.0


def import_map() -> str:
    """An import map giving every module under static/js its versioned URL, so that
    `import "./state.js"` inside main.js fetches state.js?v=<hash> (immutable) too; and the
    language files' (i18n.js finds them with import.meta.resolve). Made at most once a
    second (it stats every file: ~5 ms on a busy machine, in every page's way)."""
    global _map
    now = time.monotonic()
    if now - _map[0] < MAP_TTL_S:
        return _map[1]
    _map = (now, _import_map())
    return _map[1]


def _import_map() -> str:
    files = [*sorted((STATIC_DIR / "js").rglob("*.js")), *sorted(STATIC_DIR.glob("i18n/*.json"))]
    imports = {
        f"/static/{p.relative_to(STATIC_DIR).as_posix()}": versioned(
            p.relative_to(STATIC_DIR).as_posix()
        )
        for p in files
    }
    return json.dumps({"imports": imports}, indent=None, separators=(",", ":"))


_IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\s[^"';]*?["'](\.\.?/[^"']+\.js)["']""", re.M)


def module_graph(entries: list[str]) -> list[str]:
    """static/ paths of the modules `entries` (static/-relative) import, themselves included,
    statically followed (`import ... from "./x.js"`), in the order first found."""
    seen: list[str] = []
    todo = [_normal(e) for e in entries]
    while todo:
        rel = todo.pop(0)
        path = static_file(rel)
        if rel in seen or path is None:
            continue
        seen.append(rel)
        text = load(path).body.decode("utf-8", "replace")
        base = Path(rel).parent
        todo += [_normal(f"{base.as_posix()}/{dep}") for dep in _IMPORT.findall(text)]
    return seen


def _normal(rel: str) -> str:
    parts: list[str] = []
    for part in rel.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


_preloads: dict[tuple[str, ...], tuple[str, str]] = {}  # entries -> (import map, tags)


def modulepreload(entries: tuple[str, ...], imports: str) -> str:
    """<link rel=modulepreload> tags for every module of `entries`: the browser fetches the
    whole graph at once, not one level of imports after another. Kept while no module
    changed (`imports`, the page's import map, names every module's hash)."""
    kept = _preloads.get(entries)
    if kept is None or kept[0] != imports:
        tags = "\n".join(
            f'  <link rel="modulepreload" href="{versioned(rel)}">'
            for rel in module_graph(list(entries))
        )
        kept = _preloads[entries] = (imports, tags)
    return kept[1]


def respond(request: Request, asset: Asset, immutable: bool | None = None) -> Response:
    """Answer a GET/HEAD of `asset`: 304 when the browser holds it, gzip when it may.

    immutable: None decides from the URL (its `v` is the asset's hash)."""
    if immutable is None:
        immutable = request.query_params.get("v") == asset.digest
    etag = f'"{asset.digest}"'
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE if immutable else REVALIDATE,
        "Vary": "Accept-Encoding",
    }
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.gz is not None and _accepts_gzip(request.headers.get("accept-encoding", "")):
        body = asset.gz
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=asset.media_type)
    return Response(body, headers=headers, media_type=asset.media_type)


def page(request: Request, html: str) -> Response:
    """The HTML page, revalidated: 304 (a few hundred bytes) while it is the same."""
    body = html.encode()
    asset = Asset(body, _gz_page(body), hashlib.sha256(body).hexdigest()[:12], "text/html", (0, 0))
    return respond(request, asset, immutable=False)


_pages: dict[bytes, bytes | None] = {}


def _gz_page(body: bytes) -> bytes | None:
    """The page's gzip, kept while the page is the same (it is, but for its version)."""
    if body not in _pages:
        if len(_pages) > 8:
            _pages.clear()
        _pages[body] = gzip.compress(body, GZIP_LEVEL, mtime=0)
    return _pages[body]


def warm() -> None:
    """Read and compress every asset now (a thread at startup), not on the first visit."""
    load(PLOTLY_JS)
    for p in sorted(STATIC_DIR.rglob("*")):
        if p.is_file():
            load(p)


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def _accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
