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


# Every socket the page opens, when, and the first frame it got.
SOCKETS = """
window.__socks = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Native(...args);
  const rec = { at: performance.now(), url: String(args[0]), first: null };
  window.__socks.push(rec);
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (m.type === "frame" && !rec.first) {
      rec.first = { step: m.step, plane_by: m.plane_by, boundary: m.boundary };
    }
  });
  return ws;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
"""


def test_the_socket_opens_before_the_modules_and_its_first_frames_are_small(
    open_page, base_url, watch
):
    pg = open_page()
    pg.add_init_script(SOCKETS)
    pg.goto(base_url + "/")
    wait_drawn(pg)
    socks = pg.evaluate("() => window.__socks")
    assert len(socks) == 1  # early.js's, taken over by socket.js: one session per tab
    modules_in = pg.evaluate("() => performance.getEntriesByName('bp:connect')[0].startTime")
    assert socks[0]["at"] < modules_in
    assert "plane=page" in socks[0]["url"]
    first = socks[0]["first"]
    assert first["step"] == 0 and first["plane_by"] == "page" and first["boundary"] is None
    # Everything the socket said before the page's modules were in reached them all.
    assert pg.evaluate("() => window.__bp.state.session") is not None
    assert pg.locator("[data-testid=dataset-picker] .tile").count() > 5
    assert watch.errors == []


def test_the_page_plane_follows_the_gradients_toggle_and_keeps_drawing(page):
    page.wait_for_function("() => window.__bp.state.frame.plane_by === 'page'")
    assert page.evaluate("() => window.__bp.state.frame.layers[0].dW") is None
    caption = page.locator(".net-legend")
    assert "dL/dW" not in caption.inner_text()
    page.get_by_test_id("show-grads").check()
    assert "dL/dW" in caption.inner_text()  # the caption says what the edges now show
    page.wait_for_function("() => window.__bp.state.frame.layers[0].dW !== null")
    drawn = page.evaluate("() => window.__bp.draws")
    page.wait_for_function(f"() => window.__bp.draws > {drawn + 3}")
