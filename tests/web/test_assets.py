"""The page's files on the wire: gzipped, versioned by content, immutable or revalidated."""

from __future__ import annotations

import gzip
import re

import httpx

from app.web import assets
from app.web.paths import PLOTLY_JS


def page_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href|content)="(/(?:static|vendor)/[^"]+)"', html)


def test_every_file_the_page_names_is_versioned_gzipped_and_immutable(client):
    page = client.get("/")
    assert page.headers["content-encoding"] == "gzip"
    urls = page_urls(page.text)
    assert any(u.startswith("/vendor/plotly.min.js?v=") for u in urls)
    assert any(u.startswith("/static/js/main.js?v=") for u in urls)
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == assets.IMMUTABLE, url
        if len(r.content) >= assets.MIN_GZIP:
            assert r.headers["content-encoding"] == "gzip", url


def test_plotly_is_the_installed_package_gzipped_under_1_6_mb(live_server):
    # httpx as a browser would: raw bytes on the wire, then decoded.
    with httpx.stream("GET", f"{live_server}/vendor/plotly.min.js") as r:
        wire = b"".join(r.iter_raw())
    assert r.headers["content-encoding"] == "gzip"
    assert len(wire) < 1.6e6
    assert gzip.decompress(wire) == PLOTLY_JS.read_bytes()


def test_imported_modules_are_versioned_through_the_import_map(client):
    page = client.get("/").text
    imports = assets.import_map()
    assert imports in page
    # state.js is imported (./state.js), never named by a tag: the map gives it its hash.
    digest = assets.load(assets.static_file("js/state.js")).digest
    assert f'"/static/js/state.js":"/static/js/state.js?v={digest}"' in imports
    r = client.get(f"/static/js/state.js?v={digest}")
    assert r.headers["cache-control"] == assets.IMMUTABLE


def test_the_page_preloads_its_whole_module_graph_and_english(client):
    # One request per module at once, not a level of imports after another; the socket's
    # module is inline (it opens before any file comes).
    page = client.get("/").text
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)"', page)
    graph = assets.module_graph(["js/main.js"])
    assert "js/state.js" in graph and "js/forward.js" in graph and "js/early.js" in graph
    for rel in graph:
        assert assets.versioned(rel) in preloaded, rel
    assert len(set(preloaded)) == len(preloaded)
    assert '<script type="module" async>' in page and "window.__bpEarly" in page
    en = assets.versioned("i18n/en.json")
    assert f'rel="preload" as="fetch" crossorigin href="{en}"' in page
    assert f'"/static/i18n/en.json":"{en}"' in assets.import_map()  # i18n.js resolves it


def test_module_graph_follows_static_imports_across_folders():
    graph = assets.module_graph(["js/stepper.js"])
    assert graph[0] == "js/stepper.js"
    assert "js/stepper/panel.js" in graph and "js/state.js" in graph  # ../state.js
    assert all(assets.static_file(rel) is not None for rel in graph)


def test_page_and_unversioned_files_answer_304_when_unchanged(client):
    for url in ("/", "/static/i18n/en.json", "/vendor/plotly.min.js", "/static/js/state.js"):
        first = client.get(url)
        assert first.headers["cache-control"] == assets.REVALIDATE, url
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", url
        changed = client.get(url, headers={"If-None-Match": '"0000"'})
        assert changed.status_code == 200, url


def test_a_stale_version_is_served_fresh_but_not_as_immutable(client):
    r = client.get("/static/js/main.js?v=000000000000")
    assert r.status_code == 200 and r.headers["cache-control"] == assets.REVALIDATE


def test_files_outside_static_are_not_served(client):
    for url in ("/static/../app/web/app.py", "/static/%2e%2e/pyproject.toml", "/static/no.js"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json()["error"]["code"] == "not_found"


def test_a_changed_file_is_compressed_again(tmp_path, monkeypatch):
    f = tmp_path / "a.js"
    f.write_text("let a = 1;\n" * 100)
    first = assets.load(f)
    assert assets.load(f) is first  # the same bytes: nothing read or compressed again
    f.write_text("let b = 2;\n" * 200)
    second = assets.load(f)
    assert second.digest != first.digest
    assert gzip.decompress(second.gz) == f.read_bytes()
