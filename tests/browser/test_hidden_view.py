"""The hidden-space panel in a real browser: exact 2-D and 3-D views, a PCA view for wide
layers, live while training, and silent while closed."""

from __future__ import annotations

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser

URL = "/#dataset=spiral&hidden_layers=8,3,2&activation=tanh&learning_rate=0.03&optimizer=adam"


def _open(pg):
    pg.locator("#hidden-panel summary").click()
    pg.wait_for_function("() => document.getElementById('hidden-plot').data?.length === 3")


def _traces(pg):
    return pg.evaluate(
        "() => document.getElementById('hidden-plot').data.map((t) => [t.type, t.x.length])"
    )


def test_hidden_space_views_for_each_width(open_page, base_url, watch, artifacts):
    pg = open_page(base_url + URL)
    wait_drawn(pg)
    pg.wait_for_function("() => window.__bp.state.frame?.layers?.length === 4")
    assert pg.evaluate("() => window.__bp.state.frame.hidden") is None  # closed: not sent
    _open(pg)
    # layer 1 has 8 units: a labelled PCA
    pg.wait_for_function("() => window.__bp.hidden?.mode === 'pca'")
    assert "principal components" in pg.locator("#hidden-caption").inner_text()
    title = pg.evaluate("() => document.getElementById('hidden-plot').layout.xaxis.title.text")
    assert title.startswith("PC1 (") and "variance" in title
    options = pg.locator("#hidden-layer option").all_inner_texts()
    assert options == ["Layer 1 (8 units, PCA)", "Layer 2 (3 units, exact)",
                       "Layer 3 (2 units, exact)"]  # fmt: skip
    pg.screenshot(path=artifacts / "hidden-pca.png", full_page=True)
    # layer 2 has 3 units: an exact 3-D view
    pg.select_option("#hidden-layer", "2")
    pg.wait_for_function("() => window.__bp.hidden?.layer === 2", timeout=60_000)
    pg.wait_for_function(
        "() => document.getElementById('hidden-plot').data[2].type === 'scatter3d'",
        timeout=60_000,
    )
    # layer 3 has 2 units: exact 2-D, updating while it trains
    pg.select_option("#hidden-layer", "3")
    pg.wait_for_function(
        "() => document.getElementById('hidden-plot').data[2].type === 'scatter'"
        " && window.__bp.hidden?.layer === 3",
        timeout=60_000,
    )
    n_points = _traces(pg)[2][1]
    assert n_points == len(pg.evaluate("() => window.__bp.hidden.points.label"))
    first = pg.evaluate("() => document.getElementById('hidden-plot').data[2].x.slice(0, 5)")
    pg.wait_for_function(
        "(a) => { const x = document.getElementById('hidden-plot').data[2].x.slice(0, 5);"
        " return x.some((v, i) => Math.abs(v - a[i]) > 1e-3); }",
        arg=first,
        timeout=20_000,
    )
    pg.wait_for_timeout(300)
    pg.locator("#hidden-panel").scroll_into_view_if_needed()
    pg.screenshot(path=artifacts / "hidden-2d.png", full_page=True)
    assert watch.errors == []


def test_closing_the_panel_stops_the_hidden_space(open_page, base_url):
    pg = open_page(base_url + URL)
    wait_drawn(pg)
    _open(pg)
    pg.wait_for_function("() => !!window.__bp.hidden")
    pg.locator("#hidden-panel summary").click()
    step = pg.evaluate("() => window.__bp.state.frame.step")
    after = "(s) => window.__bp.state.frame.step > s"
    pg.wait_for_function(after, arg=step + 100, timeout=20_000)  # what was in flight has come
    parts = pg.evaluate("() => window.__bp.hiddenParts")
    pg.wait_for_function(after, arg=step + 600, timeout=30_000)
    assert pg.evaluate("() => window.__bp.hiddenParts") == parts


def test_3d_view_screenshot(open_page, base_url, artifacts):
    pg = open_page(base_url + "/#dataset=circles&hidden_layers=3&activation=tanh&optimizer=adam"
                   "&learning_rate=0.03")  # fmt: skip
    wait_drawn(pg)
    _open(pg)
    pg.wait_for_function(
        "() => document.getElementById('hidden-plot').data[2].type === 'scatter3d'"
        " && window.__bp.state.frame.step > 1500",
        timeout=30_000,
    )
    # Paused for the picture: a software-GL 3-D plot beside a training page can hold a
    # loaded machine's page thread for seconds, and scrolling waits for it.
    pg.evaluate("() => window.__bp.send({ type: 'pause' })")
    pg.wait_for_function("() => window.__bp.state.frame.state === 'paused'", timeout=30_000)
    pg.wait_for_timeout(500)
    pg.locator("#hidden-panel").scroll_into_view_if_needed()
    pg.screenshot(path=artifacts / "hidden-3d.png", full_page=True)


def test_digits_in_hidden_space_are_points_coloured_by_class(open_page, base_url, watch, artifacts):
    pg = open_page(base_url + "/#dataset=mnist&hidden_layers=32,16&optimizer=adam")
    wait_drawn(pg, 30_000)
    pg.wait_for_function("() => window.__bp.state.frame?.step > 100", timeout=30_000)
    pg.locator("#hidden-panel summary").click()  # a panel every kind of data has now
    pg.wait_for_function(
        "() => window.__bp.hidden?.mode === 'pca' && window.__bp.hidden.lines === null"
        " && document.getElementById('hidden-plot').data?.length === 1"
    )
    dots = pg.evaluate("() => document.getElementById('hidden-plot').data[0]")
    assert len(dots["x"]) == 250  # no grid lines: there is no input plane
    assert len(set(dots["marker"]["color"])) == 10  # one colour per digit
    pg.locator("#hidden-panel").scroll_into_view_if_needed()
    pg.screenshot(path=artifacts / "hidden-mnist.png", full_page=True)
    assert watch.errors == []
