"""Packaging beside pyproject.toml, for one thing it cannot say: the page's files stay in
the top-level static/ and templates/ folders of the repository, and a wheel carries them
inside the app as app/web/static and app/web/templates (app/web/paths.py finds either)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app*"]), "app.web.static", "app.web.templates"],
    package_dir={"app.web.static": "static", "app.web.templates": "templates"},
)
