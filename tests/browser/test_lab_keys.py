"""The network diagram from the keyboard, in real Chromium: the edges are one tab stop and
the neurons another (roving tabindex), arrows move between edges and nudge the focused
weight (the frame shows it at once), Enter types a value, each edge is named with its
weight, the focus is drawn, and axe-core finds nothing critical or serious."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import frame_value, wait_drawn
from tests.browser.test_a11y import serious
from tests.browser.test_lab import pause

pytestmark = pytest.mark.browser

FOCUSED = "document.activeElement"


def focused(pg, what: str):
    return pg.evaluate(f"() => {FOCUSED}.{what}")


def wait_weight(pg, l: int, i: int, j: int, want: float) -> float:
    """Wait until the newest frame shows W_(l+1)[i, j] = `want` (frames carry 3 digits)."""
    pg.wait_for_function(
        f"() => Math.abs(window.__bp.state.frame.layers[{l}].W[{i}][{j}] - ({want!r}))"
        f" <= 0.0051 * {abs(want)!r} + 1e-12"
    )
    return frame_value(pg, f"f.layers[{l}].W[{i}][{j}]")


def test_edges_take_arrows_and_enter_and_the_frame_shows_it(page, artifacts):
    pause(page)
    stops = page.locator("#network .edge-hit[tabindex='0']")
    assert stops.count() == 1  # one tab stop for every edge
    assert page.locator("#network .edge-hit").count() == 2 * 4 + 4 * 4 + 4 * 2
    assert page.locator("#network .node[tabindex='0']").count() == 1  # and one for the neurons
    first = stops.get_attribute("data-testid")
    assert first == "edge-0-0-0"
    stops.focus()
    w = frame_value(page, "f.layers[0].W[0][0]")
    name = focused(page, "getAttribute('aria-label')")
    assert re.fullmatch(r"weight from \S+ to h1\.1: -?[\d.e-]+", name), name
    assert focused(page, "getAttribute('role')") == "spinbutton"

    page.keyboard.press("ArrowRight")  # the next edge: from the same input to h1.2
    assert focused(page, "dataset.testid") == "edge-0-0-1"
    assert "to h1.2" in focused(page, "getAttribute('aria-label')")
    assert page.locator("#network .edge-hit[tabindex='0']").count() == 1
    w = frame_value(page, "f.layers[0].W[0][1]")

    page.keyboard.press("ArrowUp")
    wait_weight(page, 0, 0, 1, w + 0.1)
    assert frame_value(page, "f.state") == "paused"
    page.keyboard.press("Shift+ArrowUp")
    wait_weight(page, 0, 0, 1, w + 1.1)
    for _ in range(3):  # quicker than the frames: each nudge starts from the one before
        page.keyboard.press("ArrowDown")
    wait_weight(page, 0, 0, 1, w + 0.8)
    page.wait_for_function(  # the name says the weight the frame shows, to 3 digits
        "() => document.activeElement.getAttribute('aria-label').endsWith(': ' +"
        " String(Number(window.__bp.state.frame.layers[0].W[0][1].toPrecision(3))))"
    )
    assert float(focused(page, "getAttribute('aria-valuenow')")) == pytest.approx(w + 0.8)

    stroke = page.evaluate(f"() => getComputedStyle({FOCUSED}).stroke")
    assert stroke == "rgb(17, 17, 17)"  # the focus ring (:focus-visible after a key)
    page.get_by_test_id("network").screenshot(path=artifacts / "edge-keys.png")

    page.keyboard.press("Enter")  # the type-a-value box, focus in it
    page.get_by_test_id("edge-editor").wait_for(state="visible")
    assert focused(page, "dataset.testid") == "edge-value"
    page.keyboard.press("Control+A")
    page.keyboard.type("-0.25")
    page.keyboard.press("Enter")
    wait_weight(page, 0, 0, 1, -0.25)
    page.get_by_test_id("edge-editor").wait_for(state="detached")
    assert focused(page, "dataset.testid") == "edge-0-0-1"  # back on the edge

    page.keyboard.press("End")
    assert focused(page, "dataset.testid") == "edge-2-3-1"
    page.keyboard.press("Home")
    assert focused(page, "dataset.testid") == "edge-0-0-0"
    page.keyboard.press("ArrowLeft")  # stays at the first
    assert focused(page, "dataset.testid") == "edge-0-0-0"
    assert serious(page) == []


def test_tab_goes_from_the_edges_to_the_neurons_and_arrows_move_among_them(page):
    pause(page)
    page.locator("#network .edge-hit[tabindex='0']").focus()
    page.keyboard.press("Tab")
    assert focused(page, "classList.contains('node')")
    assert (focused(page, "dataset.layer"), focused(page, "dataset.index")) == ("1", "0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert (focused(page, "dataset.layer"), focused(page, "dataset.index")) == ("2", "1")
    assert page.locator("#network .node[tabindex='0']").count() == 1
    page.keyboard.press("Tab")  # out of the diagram: not onto another neuron
    assert not page.evaluate(f"() => !!{FOCUSED}.closest('#network')")
    page.keyboard.press("Shift+Tab")
    assert (focused(page, "dataset.layer"), focused(page, "dataset.index")) == ("2", "1")
    page.keyboard.press("Enter")
    page.get_by_test_id("unit-menu").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.get_by_test_id("unit-menu").wait_for(state="detached")
    assert (focused(page, "dataset.layer"), focused(page, "dataset.index")) == ("2", "1")
    assert serious(page) == []  # a neuron focused, an edge left: names without stale values
    assert ": " not in page.get_by_test_id("edge-0-0-0").get_attribute("aria-label")


def test_edges_are_named_in_korean(open_page, base_url):
    pg = open_page(base_url + "/#lang=ko")
    wait_drawn(pg)
    pg.locator("#network .edge-hit[tabindex='0']").focus()
    name = focused(pg, "getAttribute('aria-label')")
    assert re.fullmatch(r"\S+에서 h1\.1\(으\)로 가는 가중치: -?[\d.e-]+", name), name
    assert "키보드" in pg.locator("#surgery-keys").text_content()
    assert serious(pg) == []
