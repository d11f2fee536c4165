"""Browser fixtures: one headless Debian Chromium per session, a fresh page per test.

Chromium comes from the system (/usr/bin/chromium); `playwright install` is not used. Without
it the browser tests skip with a message, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests are required)")
    pytest.skip(f"{reason}: browser tests skipped (install chromium to run them)")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("python playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class PageWatch:
    """What a page did: console errors, uncaught exceptions, every request's host."""

    def __init__(self):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.foreign: list[str] = []


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def open_page(browser, watch) -> Iterator:
    """A factory of 1366x768 pages (at `url` when given) that record console errors and
    refuse every request outside 127.0.0.1; all are closed after the test."""
    contexts = []

    def route(r):
        url = r.request.url
        watch.requests.append(url)
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            watch.foreign.append(url)
            r.abort()

    def make(url: str | None = None):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        contexts.append(context)
        context.route("**/*", route)
        pg = context.new_page()
        pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
        if url is not None:
            pg.goto(url)
        return pg

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page, base_url) -> Iterator:
    """A page on the live server with the app loaded (first frame drawn)."""
    pg = open_page(base_url + "/")
    wait_drawn(pg)
    yield pg


def wait_drawn(pg, timeout: float = 15_000) -> None:
    """Wait until the app has drawn at least one frame with its Plotly panels (Plotly.js
    runs after the first trained picture)."""
    pg.wait_for_function("() => window.__bp && window.__bp.panelDraws > 0", timeout=timeout)


def frame_value(pg, expr: str):
    """Evaluate an expression on the newest frame (window.__bp.state.frame as `f`)."""
    return pg.evaluate(f"() => {{ const f = window.__bp.state.frame; return {expr}; }}")
