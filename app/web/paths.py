"""Where the page's files are: the repository's templates/ and static/, and Plotly.js."""

from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "templates"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
