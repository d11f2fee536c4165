"""Predict, then see, in a real browser: a lesson asks, the answer plays it, the page says
whether it was right and why, and the lessons menu sums the answers kept in this browser."""

from __future__ import annotations

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser


def open_lesson(pg, lesson_id: str) -> None:
    pg.get_by_test_id("lessons-open").click()
    pg.locator(f"[data-testid=lesson][data-lesson='{lesson_id}']").click()


def summary(pg) -> str:
    pg.get_by_test_id("lessons-open").click()
    text = pg.get_by_test_id("predict-summary").inner_text()
    pg.get_by_test_id("lessons-open").click()
    return text


def test_a_prediction_is_asked_played_and_judged(page, base_url, watch, artifacts):
    assert summary(page).startswith("Predictions: 8 to make")
    open_lesson(page, "learning-rate-too-large")
    card = page.get_by_test_id("lesson-predict")
    card.wait_for(state="visible")
    assert "learning rate of 3" in card.inner_text()
    # Held: nothing plays before the answer.
    page.wait_for_function(
        "() => window.__bp.state.frame.step === 0 && window.__bp.state.frame.state === 'paused'"
    )
    options = page.get_by_test_id("predict-option")
    assert options.all_inner_texts() == ["Down", "Up"]
    options.nth(1).click()  # up
    verdict = page.get_by_test_id("predict-verdict")
    verdict.wait_for(timeout=20_000)
    assert verdict.get_attribute("data-right") == "true"
    assert verdict.inner_text() == "Right!"
    assert "overflows" in page.get_by_test_id("predict-why").inner_text()
    assert page.evaluate("() => window.__bp.state.frame.state") == "diverged"  # it played
    page.get_by_test_id("lesson-card").screenshot(path=artifacts / "prediction-right.png")

    # A wrong answer names the right one, with the reason.
    open_lesson(page, "deep-sigmoid-stalls")
    page.get_by_test_id("lesson-predict").wait_for(state="visible")
    page.locator("[data-testid=predict-option][data-option=last]").click()
    verdict = page.get_by_test_id("predict-verdict")
    verdict.wait_for(timeout=30_000)
    assert verdict.get_attribute("data-right") == "false"
    assert "The first (next to the input)" in verdict.inner_text()
    assert page.evaluate("() => window.__bp.state.frame.step") == 200
    page.get_by_test_id("predict-play").click()  # play on
    page.wait_for_function("() => window.__bp.state.frame.step > 200")
    page.get_by_test_id("lesson-card").screenshot(path=artifacts / "prediction-wrong.png")

    assert summary(page) == "Predictions: 1 right of 2 answered (8 in all)"
    marks = page.locator(".predict-mark").all_inner_texts()
    assert sorted(marks) == ["✓", "✗"]
    # Kept in this browser: a reload still counts them.
    page.reload()
    wait_drawn(page)
    assert summary(page) == "Predictions: 1 right of 2 answered (8 in all)"
    assert watch.errors == []


def test_the_step_through_prediction_is_judged_by_its_trace(page, watch):
    open_lesson(page, "backprop-by-hand")
    page.get_by_test_id("lesson-predict").wait_for(state="visible")
    page.locator("[data-testid=predict-option][data-option=negative]").click()
    page.get_by_test_id("stepper-panel").wait_for(state="visible")
    verdict = page.get_by_test_id("predict-verdict")
    verdict.wait_for(timeout=20_000)
    assert verdict.get_attribute("data-right") == "true"
    assert watch.errors == []
