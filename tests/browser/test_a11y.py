"""Accessibility in real Chromium: axe-core finds nothing critical or serious in the states a
person meets (English, Korean, MNIST, the step-through, the lessons menu); dialogs take and
hold the keyboard, Esc closes them and gives focus back, and closing the step-through lets a
run it paused go on."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_drawn

axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

STATES = {
    "default": ("/", None),
    "korean": ("/#lang=ko", None),
    "mnist": ("/#dataset=mnist", None),
    "step-through": ("/", "[data-testid=stepper-open]"),
    "lessons-menu": ("/", "[data-testid=lessons-open]"),
}


def serious(pg) -> list[str]:
    """axe-core's critical and serious violations on the page, one line each."""
    results = axe_sync.Axe().run(pg).response
    return [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:5]]}"
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("name", list(STATES))
def test_axe_finds_nothing_critical_or_serious(open_page, base_url, name):
    path, click = STATES[name]
    pg = open_page(base_url + path)
    wait_drawn(pg)
    if name == "mnist":
        pg.wait_for_function("() => window.__bp.state.dataset?.kind === 'image'", timeout=20_000)
    if click:
        pg.click(click)
    if name == "step-through":
        pg.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=15_000)
    pg.wait_for_timeout(600)
    assert serious(pg) == []


def active(pg) -> str:
    return pg.evaluate(
        "() => { const a = document.activeElement;"
        " return a ? a.dataset.testid || a.id || a.tagName : ''; }"
    )


def inside(pg, selector: str) -> bool:
    return pg.evaluate(f"() => !!document.activeElement?.closest('{selector}')")


def test_step_through_takes_and_holds_focus_and_esc_gives_it_back(page):
    page.focus("[data-testid=stepper-open]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=15_000)
    assert inside(page, "[data-testid=stepper-panel]")
    for i in range(30):
        page.keyboard.press("Tab")
        assert inside(page, "[data-testid=stepper-panel]"), f"Tab {i + 1} left the dialog"
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert inside(page, "[data-testid=stepper-panel]")
    page.keyboard.press("Escape")
    assert page.is_hidden("[data-testid=stepper-panel]")
    assert active(page) == "stepper-open"


def test_closing_the_step_through_resumes_the_run_it_paused(page):
    if not page.evaluate("() => window.__bp.state.running"):
        page.click("[data-testid=play]")
    page.wait_for_function("() => window.__bp.state.running", timeout=10_000)
    page.click("[data-testid=stepper-open]")
    page.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=15_000)
    page.wait_for_function("() => !window.__bp.state.running", timeout=10_000)
    step = page.evaluate("() => window.__bp.state.frame.step")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__bp.state.frame.step") == step  # paused while open
    page.click("[data-testid=stepper-close]")
    page.wait_for_function(
        f"() => window.__bp.state.running && window.__bp.state.frame.step > {step}",
        timeout=10_000,
    )
    page.get_by_text("Training goes on where the step-through paused it").wait_for()


def test_step_through_on_a_paused_run_leaves_it_paused(page):
    if page.evaluate("() => window.__bp.state.running"):
        page.click("[data-testid=play]")
        page.wait_for_function("() => !window.__bp.state.running", timeout=10_000)
    page.click("[data-testid=stepper-open]")
    page.wait_for_function("() => window.__bp.stepper.trace !== null", timeout=15_000)
    page.keyboard.press("Escape")
    page.wait_for_timeout(700)
    assert not page.evaluate("() => window.__bp.state.running")


def test_lessons_menu_takes_focus_and_esc_closes_it(page):
    page.focus("[data-testid=lessons-open]")
    page.keyboard.press("Enter")
    assert page.is_visible("[data-testid=lessons-menu]")
    assert page.get_attribute("[data-testid=lessons-open]", "aria-expanded") == "true"
    assert inside(page, "[data-testid=lessons-menu]")
    page.keyboard.press("Tab")
    assert inside(page, "[data-testid=lessons-menu]")
    page.keyboard.press("Escape")
    assert page.is_hidden("[data-testid=lessons-menu]")
    assert active(page) == "lessons-open"
    assert page.get_attribute("[data-testid=lessons-open]", "aria-expanded") == "false"
