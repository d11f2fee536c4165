"""Lessons show what they talk about: at 1366 x 768 and 1920 x 1080, for every lesson and its
"try" variant, the watched panel is in view below the sticky header (>= 90 %) and the lesson
card covers at most 10 % of it; a lesson that opens the step-through shows its question in
that dialog (after the prediction its card asks first)."""

from __future__ import annotations

import pytest

from app.training.teaching.lessons import lessons

from .conftest import wait_drawn

LESSONS = lessons()

# How much of the watched panel is on screen below what sticks to the top, and how much of
# it the card covers (both as shares of the panel's area).
MEASURE = """() => {
  const panel = document.querySelector('.lesson-watch');
  const card = document.querySelector('[data-testid=lesson-card]').getBoundingClientRect();
  if (!panel) return null;
  const p = panel.getBoundingClientRect();
  let top = 0;
  for (const el of document.querySelectorAll('#topbar, .banner:not([hidden])')) {
    const r = el.getBoundingClientRect();
    const stuck = getComputedStyle(el).position === 'sticky' && r.top <= top + 1;
    if (stuck) top = Math.max(top, r.bottom);
  }
  const area = p.width * p.height;
  const overlap = (a, b) =>
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const view = { left: 0, right: document.documentElement.clientWidth, top, bottom: innerHeight };
  return { inView: overlap(p, view) / area, covered: overlap(p, card) / area,
           panel: [p.left, p.top, p.width, p.height].map(Math.round) };
}"""


def settle(pg) -> None:
    """Let the lesson's data and first frames come in and the card settle (lessons.js
    follows the layout for 3 s)."""
    pg.wait_for_timeout(3300)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_lesson_card_sits_beside_its_panel_in_view(browser, base_url, size, artifacts):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    bad = []
    try:
        pg = ctx.new_page()
        pg.goto(base_url + "/")
        wait_drawn(pg)
        for lesson in LESSONS:
            pg.get_by_test_id("lessons-open").click()
            pg.locator(f"[data-testid=lesson][data-lesson='{lesson['id']}']").click()
            for variant in [False, True] if lesson.get("try") else [False]:
                if variant:
                    pg.get_by_test_id("lesson-try").click()
                settle(pg)
                name = f"{lesson['id']}{'-try' if variant else ''}"
                if lesson.get("stepper"):
                    if any(p["on"] == "lesson" for p in lesson.get("predict", [])):
                        # It asks first, on its card (in view), and the answer opens the dialog.
                        option = pg.get_by_test_id("predict-option").first
                        assert option.is_visible() and option.is_enabled(), name
                        option.click()
                    strip = pg.get_by_test_id("stepper-lesson")
                    assert strip.is_visible(), name
                    assert "?" in strip.inner_text()
                    pg.get_by_test_id("stepper-close").click()
                    continue
                m = pg.evaluate(MEASURE)
                if m["inView"] < 0.9 or m["covered"] > 0.1:
                    bad.append((name, m))
                    pg.screenshot(path=artifacts / f"lesson-place-{size[0]}-{name}.png")
        assert bad == []
    finally:
        ctx.close()
