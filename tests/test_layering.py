"""The layers import one way: web -> training -> data/nn. The engine, the data and the training
rooms import (and so their tests run) with the web stack absent."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(app.__file__).resolve().parents[1]

# An import hook that makes the web stack look uninstalled, then imports every module below.
PROBE = """
import importlib, importlib.abc, sys
class NoWeb(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"fastapi", "starlette", "uvicorn", "httpx", "jinja2"}:
            raise ImportError(f"web stack imported: {name}")
sys.meta_path.insert(0, NoWeb())
for name in sys.argv[1:]:
    importlib.import_module(name)
"""


def modules(package: str) -> list[str]:
    pkg = __import__(package, fromlist=["_"])
    return [package] + [m.name for m in pkgutil.walk_packages(pkg.__path__, package + ".")]


def test_engine_data_and_training_import_without_the_web_stack():
    names = modules("app.nn") + modules("app.data") + modules("app.training")
    assert any(".training.live." in n for n in names)  # the rooms are walked, not just the top
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *names], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_training_never_imports_web():
    offenders = [
        str(p.relative_to(ROOT))
        for room in ("app/nn", "app/data", "app/training")
        for p in (ROOT / room).rglob("*.py")
        if "from app.web" in p.read_text() or "import app.web" in p.read_text()
    ]
    assert offenders == []
