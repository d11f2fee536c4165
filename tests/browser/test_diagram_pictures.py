"""The diagram's input nodes are pictures of their feature over the plane, in the page's one
colour scale, which a legend explains; the parts tests and people point at have test ids."""

from __future__ import annotations

import pytest

from .conftest import wait_drawn

# The colour of a picture's pixel at (fx, fy) as fractions of its width and height (y down).
PIXEL = """async ([k, fx, fy]) => {
  const img = document.querySelectorAll('[data-testid=input-node] image.feature')[k];
  const el = new Image();
  el.src = img.getAttribute('href');
  await el.decode();
  const c = document.createElement('canvas');
  c.width = el.width; c.height = el.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(el, 0, 0);
  const d = ctx.getImageData(Math.floor(fx * el.width), Math.floor(fy * el.height), 1, 1).data;
  return [d[0], d[1], d[2]];
}"""


def orange(rgb) -> bool:
    r, g, b = rgb
    return r > 200 and b < 120


def blue(rgb) -> bool:
    r, g, b = rgb
    return b > 150 and r < 80


def test_input_nodes_show_their_feature_over_the_plane(open_page, base_url, watch, artifacts):
    pg = open_page(base_url + "/#features=x1,x2,x1_sq,sin_x2")
    wait_drawn(pg)
    pg.wait_for_function(
        "() => document.querySelectorAll('[data-testid=input-node] image.feature').length === 4"
    )
    # X₁ grows to the right: orange on the left, blue on the right
    assert orange(pg.evaluate(PIXEL, [0, 0.05, 0.5])) and blue(pg.evaluate(PIXEL, [0, 0.95, 0.5]))
    # X₂ grows upwards: blue at the top, orange at the bottom
    assert blue(pg.evaluate(PIXEL, [1, 0.5, 0.05])) and orange(pg.evaluate(PIXEL, [1, 0.5, 0.95]))
    # X₁² is white in the middle column and blue at both sides
    mid = pg.evaluate(PIXEL, [2, 0.5, 0.5])
    assert min(mid) > 230 and blue(pg.evaluate(PIXEL, [2, 0.02, 0.5]))
    assert blue(pg.evaluate(PIXEL, [2, 0.98, 0.5]))
    pg.get_by_test_id("network").screenshot(path=artifacts / "diagram-input-pictures.png")
    assert watch.errors == []


def test_colour_legend_and_test_ids_are_there(page):
    legend = page.get_by_test_id("colour-legend")
    assert legend.is_visible() and "class 1" in legend.inner_text()
    for testid in ("loss-curve", "bigfont", "header", "boundary"):
        assert page.get_by_test_id(testid).count() == 1, testid
    assert page.get_by_test_id("input-node").count() == 2
    assert page.get_by_test_id("tile-label").count() >= 16


@pytest.mark.parametrize(
    ("link", "ends", "classes"),
    [
        ("dataset=spiral&classes=3", ("−1", "+1"), ["class 0", "class 1", "class 2"]),
        ("dataset=gauss_regression", ("low", "high"), []),
        ("dataset=spiral&classes=3&lang=ko", ("−1", "+1"), ["클래스 0", "클래스 1", "클래스 2"]),
    ],
)
def test_the_colour_legend_says_what_the_plane_shows(open_page, base_url, link, ends, classes):
    """Two classes share the orange-blue scale with the maps and weights; three or more are
    painted in their own colours, one swatch each; a regression's plane is low to high."""
    pg = open_page(f"{base_url}/#{link}")
    wait_drawn(pg)
    swatches = pg.get_by_test_id("legend-classes")
    pg.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=legend-classes] .cl-class').length === n",
        arg=len(classes),
        timeout=10_000,
    )
    assert ends[0] in pg.get_by_test_id("legend-negative").inner_text()
    assert ends[1] in pg.get_by_test_id("legend-positive").inner_text()
    assert "class 1" not in pg.get_by_test_id("legend-positive").inner_text()
    if classes:
        assert swatches.is_visible()
        assert swatches.locator(".cl-class").all_inner_texts() == classes
        colours = swatches.locator(".cl-class i").evaluate_all(
            "(els) => els.map((e) => getComputedStyle(e).backgroundColor)"
        )
        assert len(set(colours)) == len(classes)  # the plane's class colours, all different
    else:
        assert swatches.is_hidden()


def test_output_nodes_show_where_their_class_wins(page):
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=output-node] image.class-region').length"
        " === 2"
    )
    # each class's picture is coloured where it wins and white elsewhere: the two differ
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=output-node] image.class-region')]"
        ".map((i) => i.getAttribute('href'))"
    )
    assert hrefs[0] != hrefs[1] and all(h.startswith("data:image/png") for h in hrefs)
