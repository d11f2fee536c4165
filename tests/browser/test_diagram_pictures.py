"""The diagram's input nodes are pictures of their feature over the plane, in the page's one
colour scale, which a legend explains; the parts tests and people point at have test ids."""

from __future__ import annotations

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
