"""The page's layout on a phone (390 x 844), a tablet (768 x 1024) and desktops: no sideways
scrolling, a header that leaves the screen to the work, controls a finger can hit, a
step-through that fits, digits drawn by touch, tile labels never cut."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_drawn

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}

# Every control a person can see and reach, with its size; a file input is its label's size.
SMALL_CONTROLS = """() => {
  const out = [];
  const els = document.querySelectorAll(
    "button, select, input:not([type=file]), .upload, [role=button]");
  for (const el of els) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest("[hidden]")) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (r.width < 24 || r.height < 24) {
      out.push(`${el.dataset.testid || el.id || el.className || el.tagName} ` +
        `${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""


@pytest.fixture
def device(browser, base_url):
    """A factory of touch pages of a given viewport, loaded at `path` and drawn."""
    contexts = []

    def make(viewport: dict, path: str = "/"):
        ctx = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.goto(base_url + path)
        wait_drawn(pg)
        return pg

    yield make
    for ctx in contexts:
        ctx.close()


def header_height(pg) -> float:
    return pg.evaluate(
        "() => document.querySelector('[data-testid=header]').getBoundingClientRect().height"
    )


def sideways(pg) -> int:
    """How many pixels the page scrolls sideways (0 = none)."""
    return pg.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_phone_and_tablet_fit_the_screen(device, viewport, lang, artifacts):
    pg = device(viewport, f"/#lang={lang}")
    pg.wait_for_timeout(500)
    pg.screenshot(path=artifacts / f"layout-{viewport['width']}-{lang}.png")
    assert sideways(pg) == 0
    assert header_height(pg) <= 0.15 * viewport["height"]
    assert pg.evaluate(SMALL_CONTROLS) == []
    if viewport is PHONE:  # the boundary plot takes the screen's width
        box = pg.get_by_test_id("boundary").bounding_box()
        assert box["width"] >= 0.9 * viewport["width"] - 40


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_step_through_fits_the_screen_with_its_close_button(device, viewport, artifacts):
    pg = device(viewport)
    pg.get_by_test_id("stepper-open").click()
    pg.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=15_000)
    pg.screenshot(path=artifacts / f"layout-stepper-{viewport['width']}.png")
    card = pg.get_by_test_id("stepper-panel").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= viewport["width"]
    close = pg.get_by_test_id("stepper-close").bounding_box()
    assert 0 <= close["x"] and close["x"] + close["width"] <= viewport["width"]
    assert 0 <= close["y"] and close["y"] + close["height"] <= viewport["height"]
    assert sideways(pg) == 0
    assert pg.evaluate(SMALL_CONTROLS) == []
    title = pg.get_by_test_id("stepper-stage-title").bounding_box()
    assert title["height"] < 80  # not one word a line
    pg.get_by_test_id("stepper-close").tap()
    assert pg.get_by_test_id("stepper-panel").is_hidden()


# The step-through card's sideways overflow, its stage title's box and the card's right edge.
STEPPER_FIT = """() => {
  const card = document.querySelector("[data-testid=stepper-panel]");
  const title = document.querySelector("[data-testid=stepper-stage-title]").getBoundingClientRect();
  return {over: card.scrollWidth - card.clientWidth, title: [title.width, title.height],
          right: card.getBoundingClientRect().right};
}"""


@pytest.mark.parametrize(
    ("lang", "dataset"), [("ko", "xor"), ("en", "mnist"), ("ko", "mnist")], ids=lambda v: v
)
def test_step_through_on_a_phone_reads_in_every_stage(device, lang, dataset, artifacts):
    """At 390 px the Korean title keeps its width (it read one letter a line), and no stage
    (MNIST's 64 activation bars, its 16 dW images, long formulas) widens the card."""
    pg = device(PHONE, f"/#lang={lang}&dataset={dataset}")
    pg.get_by_test_id("stepper-open").click()
    pg.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=30_000)
    stages = pg.evaluate("() => window.__bp.stepper.stages.length")
    for k in range(stages):
        if k:
            pg.get_by_test_id("stepper-next").click()
            pg.wait_for_function("(k) => window.__bp.stepper.index === k", arg=k)
        fit = pg.evaluate(STEPPER_FIT)
        if k == 0:
            pg.screenshot(path=artifacts / f"layout-stepper-phone-{lang}-{dataset}.png")
        assert fit["over"] <= 1, (k, fit)
        assert fit["right"] <= PHONE["width"]
        assert fit["title"][0] >= 150 and fit["title"][1] < 80, (k, fit)
        assert sideways(pg) == 0


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_lessons_menu_and_card_fit_the_screen(device, viewport, artifacts):
    pg = device(viewport)
    pg.get_by_test_id("lessons-open").tap()
    menu = pg.get_by_test_id("lessons-menu").bounding_box()
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= viewport["width"]
    assert menu["y"] >= 0 and menu["y"] + menu["height"] <= viewport["height"]
    pg.locator("[data-testid=lesson][data-lesson='dead-relu']").tap()
    pg.wait_for_timeout(3300)  # the card follows the layout while the lesson's data comes
    card = pg.get_by_test_id("lesson-card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= viewport["width"]
    assert card["y"] >= 0 and card["y"] + card["height"] <= viewport["height"]
    assert sideways(pg) == 0
    pg.screenshot(path=artifacts / f"layout-lesson-{viewport['width']}.png")


def test_a_digit_drawn_by_touch_is_predicted(device, artifacts):
    pg = device(PHONE, "/#dataset=mnist")
    pg.wait_for_function("() => document.body.classList.contains('mode-image')")
    canvas = pg.get_by_test_id("draw-canvas")
    canvas.scroll_into_view_if_needed()
    assert sideways(pg) == 0
    box = canvas.bounding_box()
    x, w, y, h = box["x"] + box["width"] / 2, box["width"], box["y"], box["height"]
    cdp = pg.context.new_cdp_session(pg)

    def touch(kind: str, points: list[tuple[float, float]]):
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": px, "y": py} for px, py in points]},
        )

    touch("touchStart", [(x, y + 0.2 * h)])
    for i in range(1, 13):  # a vertical stroke: a "1"
        touch("touchMove", [(x + 0.01 * w, y + h * (0.2 + 0.6 * i / 12))])
    touch("touchEnd", [])
    pg.wait_for_function(
        "() => /^[0-9]$/.test(document.querySelector('[data-testid=pred-digit]').textContent)",
        timeout=15_000,
    )
    assert sideways(pg) == 0  # drawing did not scroll the page sideways
    pg.screenshot(path=artifacts / "layout-phone-mnist.png")


def cut_labels(pg) -> list[str]:
    """Dataset tile labels whose text does not fit their box."""
    return pg.evaluate(
        """() => [...document.querySelectorAll('[data-testid=tile-label]')]
          .filter((s) => s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1)
          .map((s) => s.textContent)"""
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_desktop_header_is_one_short_row_and_tile_labels_whole(browser, base_url, lang, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        pg = ctx.new_page()
        pg.goto(f"{base_url}/#lang={lang}")
        wait_drawn(pg)
        assert header_height(pg) <= 96
        assert sideways(pg) == 0
        cut = cut_labels(pg)
        labels = pg.get_by_test_id("tile-label").count()
        assert labels >= 16 and cut == []
        pg.get_by_test_id("bigfont").click()  # projector mode: the page grows, the bar does not
        pg.wait_for_function("() => document.documentElement.classList.contains('big')")
        pg.wait_for_timeout(300)
        assert header_height(pg) <= 96
        assert sideways(pg) == 0
        assert cut_labels(pg) == []
    finally:
        ctx.close()


# Pairs of y tick labels of a plot whose boxes overlap (labels piled on each other).
PILED = """(id) => {
  const boxes = [...document.querySelectorAll(`#${id} .yaxislayer-above .ytick text`)]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.height > 0);
  let piled = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const rows = a.top < b.bottom - 1 && b.top < a.bottom - 1;
    if (rows && a.left < b.right && b.left < a.right) piled++;
  }
  return [boxes.length, piled];
}"""


def test_log_axis_tick_labels_do_not_pile_up(open_page, base_url):
    pg = open_page(base_url + "/#dataset=mnist")
    wait_drawn(pg)
    pg.wait_for_function("() => window.__bp.state.frame?.step >= 40", timeout=30_000)
    pg.locator("#gradnorms").scroll_into_view_if_needed()
    pg.wait_for_timeout(1500)
    for plot in ("curves", "gradnorms"):
        n, piled = pg.evaluate(PILED, plot)
        assert n >= 2 and piled == 0, plot
