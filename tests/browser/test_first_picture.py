"""The first picture comes before Plotly.js, and the page draws small planes itself."""

from __future__ import annotations

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser


def test_first_trained_picture_is_drawn_before_plotly_runs(open_page, base_url, watch):
    pg = open_page(base_url + "/")
    pg.wait_for_function("() => window.__bp && window.__bp.firstTrainedAt", polling="raf")
    assert pg.evaluate("() => window.__bp.plotlyAtFirst") is False
    wait_drawn(pg)  # then Plotly comes, and the panels with it
    # The plane is drawn by the page (forward.js), under the plot's points.
    pg.wait_for_function("() => window.__bp.state.frame.plane_by === 'page'")
    assert pg.evaluate("() => window.__bp.state.heavy.boundary.cells.bytes.length") == 100 * 100
    children = pg.evaluate(
        "() => Array.from(document.getElementById('boundary').children).map((c) => c.className)"
    )
    assert children[0] == "boundary-bg" and "plot-container" in children[1]
    assert pg.locator("#boundary .point").count() == 250
    assert watch.errors == []


def test_the_page_plane_follows_the_gradients_toggle_and_keeps_drawing(page):
    page.wait_for_function("() => window.__bp.state.frame.plane_by === 'page'")
    assert page.evaluate("() => window.__bp.state.frame.layers[0].dW") is None
    page.get_by_test_id("show-grads").check()
    page.wait_for_function("() => window.__bp.state.frame.layers[0].dW !== null")
    drawn = page.evaluate("() => window.__bp.draws")
    page.wait_for_function(f"() => window.__bp.draws > {drawn + 3}")
