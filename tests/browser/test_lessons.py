"""Lessons in the page: every one opens from the menu, changes the configuration to its own,
shows its card and highlights what to watch, with no console error."""

from __future__ import annotations

import pytest

from app.training.teaching.lessons import lesson_config, lessons

from .conftest import wait_drawn

pytestmark = pytest.mark.browser

LESSONS = lessons()


def config_matches(pg, want: dict) -> None:
    """Wait until the page's config has every key of `want`."""
    pg.wait_for_function(
        """(want) => Object.entries(want).every(([k, v]) =>
            JSON.stringify(window.__bp.state.config[k]) === JSON.stringify(v))""",
        arg=want,
        timeout=20_000,
    )


def open_lesson(pg, lesson_id: str) -> None:
    pg.get_by_test_id("lessons-open").click()
    entry = pg.locator(f"[data-testid=lesson][data-lesson='{lesson_id}']")
    entry.wait_for()
    entry.click()


def test_every_lesson_opens_and_changes_the_configuration(page, watch, artifacts):
    page.get_by_test_id("lessons-open").click()
    assert page.get_by_test_id("lesson").count() == len(LESSONS) >= 8
    page.keyboard.press("Escape")
    assert page.get_by_test_id("lessons-menu").is_hidden()  # Esc closes the menu
    before = page.evaluate("() => structuredClone(window.__bp.state.config)")
    for lesson in LESSONS:
        open_lesson(page, lesson["id"])
        full = lesson_config(lesson).model_dump()
        want = {k: full[k] for k in lesson["config"]}
        config_matches(page, want)
        # the server agrees: its status carries the config it runs
        page.wait_for_function(
            "(id) => location.hash.includes(`lesson=${id}`)", arg=lesson["id"], timeout=5_000
        )
        card = page.get_by_test_id("lesson-card")
        assert card.is_visible()
        assert page.get_by_test_id("lesson-title").inner_text().strip()
        if lesson.get("stepper"):
            if lesson.get("predict"):  # it asks first; the answer opens the step-through
                page.get_by_test_id("predict-option").first.click()
            page.get_by_test_id("stepper-panel").wait_for(state="visible")
            page.get_by_test_id("stepper-close").click()
        else:
            assert page.locator(".lesson-watch").count() == 1
        now = page.evaluate("() => structuredClone(window.__bp.state.config)")
        assert now != before  # the lesson changed the configuration
        before = now
    assert watch.errors == []
    assert watch.foreign == []


def test_a_lesson_s_try_gives_its_layers_their_settings_and_the_diagram_draws_them(
    page, watch, artifacts
):
    """Batch norm, residual and dropout lessons: Try turns the layers' settings on (the
    server runs them) and the diagram marks them; Back turns them off again."""
    marks = {
        "batchnorm-deep-sigmoid": "[data-testid^=layer-mark-]",
        "residual-deep": "[data-testid^=skip-arrow-]",
        "dropout-noisy-data": "#network .node.dropout",
    }
    for lesson_id, mark in marks.items():
        lesson = next(x for x in LESSONS if x["id"] == lesson_id)
        open_lesson(page, lesson_id)
        config_matches(page, {"hidden_layers": lesson["config"]["hidden_layers"]})
        assert page.locator(mark).count() == 0
        page.get_by_test_id("lesson-try").click()
        want = lesson_config(lesson, variant=True).model_dump()["hidden_layers"]
        config_matches(page, {"hidden_layers": want})
        page.wait_for_function(
            "(n) => window.__bp.state.frame?.layers?.length === n && window.__bp.state.frame.layers"
            ".slice(0, -1).some((l) => l.norm || l.residual || l.dropout)",
            arg=len(want) + 1,
            timeout=20_000,
        )
        assert page.locator(mark).count() >= 1, lesson_id
        assert "[object" not in page.evaluate("() => location.hash")
        page.screenshot(path=artifacts / f"lesson-try-{lesson_id}.png")
        page.get_by_test_id("lesson-try").click()  # back to the lesson's own setting
        config_matches(page, {"hidden_layers": lesson["config"]["hidden_layers"]})
        page.wait_for_function(f"() => document.querySelectorAll('{mark}').length === 0")
    assert watch.errors == []


def link(lesson: dict, **extra: str) -> str:
    """A lesson's shareable hash, as lessons.js writes it."""
    parts = {"lesson": lesson["id"], **extra}
    for k, v in lesson["config"].items():
        parts[k] = ",".join(map(str, v)) if isinstance(v, list) else str(v)
    return "&".join(f"{k}={v}" for k, v in parts.items())


def test_a_lesson_link_opens_in_korean_with_its_card_and_variant(
    open_page, base_url, watch, artifacts
):
    lesson = next(x for x in LESSONS if x["id"] == "deep-sigmoid-stalls")
    pg = open_page(base_url + "/#" + link(lesson, lang="ko"))
    wait_drawn(pg)
    pg.get_by_test_id("lesson-card").wait_for()
    assert "시그모이드" in pg.get_by_test_id("lesson-title").inner_text()
    config_matches(
        pg, {"activation": "sigmoid", "hidden_layers": lesson["config"]["hidden_layers"]}
    )
    assert pg.locator(".lesson-watch #gradnorms").count() == 1
    # It asks its prediction before anything trains, as from the menu; the answer plays it.
    assert pg.evaluate("() => window.__bp.state.frame.step") == 0
    pg.get_by_test_id("predict-option").first.click()
    pg.wait_for_function("() => window.__bp.state.frame && window.__bp.state.frame.step > 150")
    pg.wait_for_timeout(800)
    pg.screenshot(path=artifacts / "lesson-deep-sigmoid-ko.png", full_page=True)
    pg.get_by_test_id("lesson-try").click()
    config_matches(pg, {"activation": "tanh", "learning_rate": 0.03})
    assert "lang=ko" in pg.evaluate("() => location.hash")
    assert watch.errors == []
