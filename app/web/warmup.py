"""Work a server process does once, at startup, so that its first visitor does not wait for it.

A fresh process takes ~0.1-0.2 s for its first session (imports on first use, NumPy's first
calls, the catalogue, the page's template): done here, in a background thread, its first tab
gets its first trained picture as quickly as every later one.
"""

from __future__ import annotations

import json
import threading

from app.training.live.config import catalogue
from app.training.live.session import TrainingSession
from app.web import assets


def warm() -> None:
    """Compress the page's files, compile its template, build and train a throwaway session."""
    assets.warm()
    from app.web.routes import templates  # the page's template, compiled once

    templates.get_template("index.html")
    json.dumps(catalogue())
    session = TrainingSession()
    session.frames.set_view(plane="page")
    session.advance(50, threading.Event())
    json.dumps(session.frame("running"))
    json.dumps(session.dataset_message())
