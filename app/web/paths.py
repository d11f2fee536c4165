"""Where the page's files are: templates/ and static/, and Plotly.js.

In a source tree they are the repository's top-level folders; an installed wheel carries
them inside the app (app/web/static, app/web/templates: setup.py), and that copy wins
when it exists, so a stray site-packages/static of another package is never served."""

from pathlib import Path

import plotly

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _folder(name: str) -> Path:
    installed = HERE / name
    return installed if installed.is_dir() else ROOT / name


STATIC_DIR = _folder("static")
TEMPLATES_DIR = _folder("templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
