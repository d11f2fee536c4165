"""The wheel runs on its own: every third-party module the app imports is a declared runtime
dependency (not a dev extra), and a wheel installed outside the source tree serves the page,
its scripts and the lessons (static/, templates/ and lessons.json travel inside it)."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.live_server import start_app, stop_app

ROOT = Path(__file__).resolve().parents[1]


def _imported_top_modules() -> set[str]:
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"app", "__future__"}


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def _runtime_requirements() -> set[str]:
    """The declared runtime dependencies and what they require in turn (pydantic brings
    pydantic-core): what a bare `pip install .` installs."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {_name(d) for d in deps}
    for name in list(names):
        for req in md.requires(name) or []:
            if "extra ==" not in req:
                names.add(_name(req))
    return names


def test_every_module_the_app_imports_is_a_runtime_dependency():
    dists = md.packages_distributions()
    runtime = _runtime_requirements()
    for module in sorted(_imported_top_modules()):
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        assert owners & runtime, f"app imports {module} ({owners}) but it is not a runtime dep"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"] + ["-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (whl,) = out.glob("*.whl")
    return whl


def test_the_wheel_carries_the_page_and_the_lessons(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("app/web/templates/index.html", "app/web/static/js/main.js"):
        assert f in names, f
    assert "app/training/teaching/lessons.json" in names
    assert len([n for n in names if n.startswith("app/web/static/")]) == len(
        [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    )
    assert not any(n.startswith(("static/", "templates/", "tests/")) for n in names)


def test_an_installed_wheel_serves_the_page_outside_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site)]
        + [str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"}
    where = subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site)), where.stdout  # not the source tree's app
    proc, port = start_app(env=env, workers=1, cwd=tmp_path)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/static/js/main.js", timeout=10).status_code == 200
        assert httpx.get(f"{base}/static/i18n/ko.json", timeout=10).status_code == 200
        assert len(httpx.get(f"{base}/api/lessons", timeout=10).json()) >= 10
    finally:
        err = stop_app(proc)
    assert "Traceback" not in err, err
