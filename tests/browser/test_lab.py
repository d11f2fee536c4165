"""The lab on the page: a bug hunt from plant to reveal, a weight typed on an edge, a unit
killed and frozen from its menu, and "distinct units: 1 of 4" under a zero-initialised layer."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import frame_value, wait_drawn

pytestmark = pytest.mark.browser


def serious(pg, selector: str) -> list[str]:
    """axe-core violations (critical or serious) inside `selector`."""
    found = Axe().run(pg, context=selector).response["violations"]
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("critical", "serious")
    ]


def pause(pg) -> None:
    pg.evaluate("() => window.__bp.send({type: 'pause'})")
    pg.wait_for_function("() => window.__bp.state.frame.state === 'paused'")


def test_bug_hunt_from_plant_to_reveal(page, artifacts):
    panel = page.get_by_test_id("hunt-panel")
    panel.locator("summary").click()
    page.get_by_test_id("hunt-pick").select_option("w_not_transposed")
    page.get_by_test_id("hunt-plant").click()
    state = page.get_by_test_id("hunt-state")
    state.wait_for(state="visible")
    assert "0 of 3" in state.inner_text()
    page.get_by_test_id("guess-update_sign").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=hunt-state]').textContent.includes('1 of 3')"
    )
    assert "Not" in state.inner_text()
    page.get_by_test_id("guess-w_not_transposed").click()
    reveal = page.get_by_test_id("hunt-reveal")
    reveal.wait_for(state="visible")
    assert "@ W" in page.get_by_test_id("reveal-wrong").inner_text()
    assert "W.T" in page.get_by_test_id("reveal-right").inner_text()  # reference.py's line
    assert "Right" in state.inner_text()
    assert page.get_by_test_id("guess-update_sign").is_disabled()
    assert serious(page, "#hunt-panel") == []
    panel.screenshot(path=artifacts / "bughunt.png")
    page.get_by_test_id("hunt-stepper").click()  # the way to the gradient check
    page.get_by_test_id("stepper-panel").wait_for(state="visible")
    page.get_by_test_id("stepper-close").click()
    page.get_by_test_id("hunt-end").click()
    page.get_by_test_id("hunt-reveal").wait_for(state="hidden")


def test_an_edge_takes_a_typed_weight_and_a_neuron_menu_kills_and_freezes(page, artifacts):
    pause(page)
    page.get_by_test_id("edge-1-0-1").dispatch_event("click", {"clientX": 500, "clientY": 300})
    editor = page.get_by_test_id("edge-editor")
    editor.wait_for(state="visible")
    box = page.get_by_test_id("edge-value")
    box.fill("1.5")
    box.press("Enter")
    page.wait_for_function("() => window.__bp.state.frame.layers[1].W[0][1] === 1.5")
    assert frame_value(page, "f.state") == "paused"

    node = page.locator('#network .node.hidden[data-layer="1"][data-index="2"]')
    node.click(button="right")
    menu = page.get_by_test_id("unit-menu")
    menu.wait_for(state="visible")
    assert serious(page, "[data-testid=unit-menu]") == []
    page.get_by_test_id("unit-kill").click()
    page.wait_for_function("() => window.__bp.state.frame.layers[0].killed.includes(2)")
    page.wait_for_function(
        '() => document.querySelector(\'#network .node[data-layer="1"][data-index="2"]\')'
        ".classList.contains('killed')"
    )
    node.click(button="right")
    page.get_by_test_id("unit-freeze").click()
    page.wait_for_function("() => window.__bp.state.frame.layers[0].frozen.includes(2)")
    page.get_by_test_id("network").screenshot(path=artifacts / "surgery.png")


def test_zero_init_shows_one_distinct_unit_per_layer(page, artifacts):
    label = page.get_by_test_id("distinct-1")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=distinct-1]').textContent.includes('4 of 4')"
    )
    page.evaluate("() => window.__bp.send({type: 'configure', config: {init: 'zeros'}})")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=distinct-2]').textContent"
        " === 'distinct units: 1 of 4'"
    )
    assert label.text_content() == "distinct units: 1 of 4"
    page.get_by_test_id("network").screenshot(path=artifacts / "symmetry.png")


# Pairs of "+N more" and "distinct units" labels of the diagram whose boxes meet.
LABELS_MEET = """() => {
  const boxes = (sel) => [...document.querySelectorAll(`#network ${sel}`)]
    .map((e) => [e.textContent, e.getBoundingClientRect()]);
  const more = boxes(".more-label"), distinct = boxes(".distinct-label");
  const meet = [];
  for (const [a, r] of more) for (const [b, q] of distinct) {
    if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) {
      meet.push(`${a} | ${b}`);
    }
  }
  return [more.length, distinct.length, meet];
}"""


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("en", (1366, 768)), ("ko", (1366, 768)), ("ko", (390, 844))],
    ids=["en", "ko", "ko-phone"],
)
def test_more_and_distinct_labels_do_not_overlap_under_wide_layers(
    browser, base_url, lang, viewport, artifacts
):
    """MNIST's 64 and 32 units show 16 each: "+48 more" sits under the column and
    "distinct units: 64 of 64" on the line below it, both readable."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        pg = ctx.new_page()
        pg.goto(f"{base_url}/#lang={lang}&dataset=mnist")
        wait_drawn(pg)
        pg.wait_for_function(
            "() => document.querySelector('[data-testid=distinct-1]')?.textContent.length > 0"
        )
        pg.get_by_test_id("network").screenshot(
            path=artifacts / f"more-distinct-{lang}-{viewport[0]}.png"
        )
        n_more, n_distinct, meet = pg.evaluate(LABELS_MEET)
        assert n_more == 2 and n_distinct == 2
        assert meet == []
    finally:
        ctx.close()


def test_the_bug_hunt_lesson_plants_a_bug_and_opens_its_panel(page):
    page.get_by_test_id("lessons-open").click()
    page.locator("[data-testid=lesson][data-lesson='bug-hunt']").click()
    page.get_by_test_id("hunt-state").wait_for(state="visible")
    assert page.get_by_test_id("hunt-panel").get_attribute("open") is not None
    assert page.locator("#hunt-panel.lesson-watch").count() == 1
    assert "0 of 3" in page.get_by_test_id("hunt-state").inner_text()


def test_the_symmetry_lesson_waits_for_a_prediction_then_shows_one_distinct_unit(page):
    page.get_by_test_id("lessons-open").click()
    page.locator("[data-testid=lesson][data-lesson='symmetry']").click()
    page.wait_for_function(
        "() => window.__bp.state.frame.step === 0 && window.__bp.state.config.init === 'constant'"
    )
    assert "Predict first" in page.get_by_test_id("lesson-card").inner_text()
    page.wait_for_timeout(1000)
    assert frame_value(page, "f.step") == 0  # nothing runs before the learner presses Play
    page.get_by_test_id("play").click()
    page.wait_for_function("() => window.__bp.state.frame.step > 200")
    assert page.get_by_test_id("distinct-1").text_content() == "distinct units: 1 of 8"


def test_a_neuron_menu_opens_from_the_keyboard_and_sets_the_bias(page):
    pause(page)
    node = page.locator('#network .node.hidden[data-layer="2"][data-index="0"]')
    node.focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("unit-menu").wait_for(state="visible")
    bias = page.get_by_test_id("unit-bias")
    assert bias.evaluate("(el) => el === document.activeElement")  # focus moved into it
    bias.fill("-0.75")
    bias.press("Tab")  # change fires
    page.wait_for_function("() => window.__bp.state.frame.layers[1].b[0] === -0.75")
    page.keyboard.press("Escape")
    page.get_by_test_id("unit-menu").wait_for(state="detached")


def test_a_long_press_on_a_neuron_opens_its_menu(page):
    node = page.locator('#network .node.hidden[data-layer="1"][data-index="1"]')
    node.dispatch_event("pointerdown", {"pointerType": "touch", "clientX": 400, "clientY": 300})
    page.get_by_test_id("unit-menu").wait_for(state="visible", timeout=5_000)
    node.dispatch_event("pointerup", {"pointerType": "touch"})
    # a short tap does not open it
    page.keyboard.press("Escape")
    page.get_by_test_id("unit-menu").wait_for(state="detached")
    node.dispatch_event("pointerdown", {"pointerType": "touch", "clientX": 400, "clientY": 300})
    node.dispatch_event("pointerup", {"pointerType": "touch"})
    page.wait_for_timeout(900)
    assert page.get_by_test_id("unit-menu").count() == 0
