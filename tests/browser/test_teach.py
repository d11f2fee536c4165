"""The teacher page with three students in real Chromium: open a class, students join by
link and by typing the code, the roster shows them, a push reaches every tab, a lock greys
the control, sorting, and the spotlight shows a student's run read-only."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import wait_drawn

pytestmark = pytest.mark.browser


def _join_by_link(open_page, base_url: str, code: str, name: str):
    pg = open_page(f"{base_url}/?class={code}")
    pg.get_by_test_id("class-name").wait_for()  # the dialog asks for a name
    pg.get_by_test_id("class-name").fill(name)
    pg.get_by_test_id("class-join").click()
    pg.get_by_test_id("class-badge").wait_for()
    return pg


def test_teacher_page_with_three_students(open_page, base_url, watch, artifacts):
    teacher = open_page(base_url + "/teach")
    teacher.get_by_test_id("class-title").fill("Period 3")
    teacher.get_by_test_id("class-open").click()
    teacher.get_by_test_id("class-box").wait_for()
    code = teacher.get_by_test_id("join-code").inner_text()
    assert 4 <= len(code) <= 6
    teacher.wait_for_function("() => document.getElementById('join-qr').naturalWidth > 0")
    key = teacher.evaluate("() => JSON.parse(sessionStorage.getItem('bp-teach')).key")
    assert len(key) == 32

    mina = _join_by_link(open_page, base_url, code, "Mina")
    joon = _join_by_link(open_page, base_url, code, "Joon")
    sora = open_page(base_url + "/")  # types the code
    wait_drawn(sora)
    sora.get_by_test_id("class-open-join").click()
    sora.get_by_test_id("class-code").fill(code.lower())
    sora.get_by_test_id("class-name").fill("Sora")
    sora.get_by_test_id("class-join").click()
    sora.get_by_test_id("class-badge").wait_for()
    students = [mina, joon, sora]
    for pg in students:
        assert code in pg.get_by_test_id("class-badge").inner_text()

    # The roster: three cards, each with a boundary thumbnail and a sparkline.
    cards = teacher.get_by_test_id("student-card")
    teacher.wait_for_function(
        "() => document.querySelectorAll('[data-testid=student-card]').length === 3"
    )
    teacher.wait_for_function("() => window.__teach.students.every((s) => s.spark.length > 2)")
    assert sorted(cards.locator(".name").all_inner_texts()) == ["Joon", "Mina", "Sora"]
    assert "3" in teacher.get_by_test_id("student-count").inner_text()

    # Push a learning rate: every tab's config and control follow.
    teacher.get_by_test_id("push-key").select_option("learning_rate")
    teacher.get_by_test_id("push-value").fill("0.3")
    teacher.get_by_test_id("push").click()
    for pg in students:
        pg.wait_for_function("() => window.__bp.state.config.learning_rate === 0.3")

    # A lesson starts in every tab, its settings with it.
    teacher.get_by_test_id("lesson-pick").select_option(index=1)
    lesson = teacher.get_by_test_id("lesson-pick").input_value()
    teacher.get_by_test_id("lesson-start").click()
    for pg in students:
        pg.locator(f"[data-testid=lesson-card][data-lesson='{lesson}']").wait_for()
    teacher.get_by_test_id("push").click()  # the learning rate again, 0.3

    # Lock it: the control greys and says why; the others stay free.
    teacher.get_by_test_id("lock-learning_rate").check()
    for pg in students:
        pg.get_by_test_id("locked-learning_rate").wait_for()
        assert pg.locator("#cfg-learning_rate").is_disabled()
        assert not pg.locator("#cfg-activation").is_disabled()
    mina.screenshot(path=str(artifacts / "teach-student-locked.png"))
    # The dataset's lock also holds the CSV upload, which would replace the data.
    teacher.get_by_test_id("lock-dataset").check()
    for pg in students:
        pg.get_by_test_id("locked-dataset").wait_for()
        assert pg.get_by_test_id("upload").is_disabled()
    teacher.get_by_test_id("lock-dataset").uncheck()
    mina.wait_for_function("() => !document.getElementById('upload').disabled")

    # Sort by test loss: the cards follow the roster's losses.
    teacher.get_by_test_id("sort").select_option("test_loss")
    shown = teacher.evaluate(
        """() => {  // the cards' order and the roster drawn, read at one moment
            const loss = Object.fromEntries(
                window.__teach.students.map((s) => [s.name, s.test.loss]));
            return [...document.querySelectorAll("[data-testid=student-card] .name")]
                .map((e) => loss[e.textContent]);
        }"""
    )
    assert len(shown) == 3 and shown == sorted(shown)
    teacher.screenshot(path=str(artifacts / "teach-roster.png"), full_page=True)
    teacher.get_by_test_id("join-compact").click()  # the roster gets the screen
    assert teacher.get_by_test_id("join-compact").get_attribute("aria-pressed") == "true"
    assert teacher.get_by_test_id("join-code").bounding_box()["height"] < 60

    results = Axe().run(teacher)
    bad = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert bad == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in bad]

    # The spotlight: Joon's run full-size, read-only, live.
    cards.filter(has_text="Joon").click()
    teacher.get_by_test_id("spotlight").wait_for()
    assert "Joon" in teacher.get_by_test_id("spotlight-title").inner_text()
    teacher.wait_for_function(
        "() => document.getElementById('spotlight-frame').src.includes('watch=')"
    )
    inner = None
    for _ in range(300):  # the frame's navigation starts a moment after its src is set
        inner = next((f for f in teacher.frames if "watch=" in f.url), None)
        if inner is not None:
            break
        teacher.wait_for_timeout(100)
    assert inner is not None, "the spotlight's frame never loaded the student's page"
    try:
        inner.wait_for_function(
            "() => window.__bp?.draws > 2 && window.__bp.state.readOnly", timeout=60_000
        )
    finally:
        teacher.screenshot(path=str(artifacts / "teach-spotlight.png"))
    assert inner.get_by_test_id("banner-watching").is_visible()
    joon_session = joon.evaluate("() => window.__bp.state.session")
    assert inner.evaluate("() => window.__bp.state.session") == joon_session
    step = inner.evaluate("() => window.__bp.state.frame.step")
    inner.wait_for_function(f"() => window.__bp.state.frame.step > {step}")
    teacher.screenshot(path=str(artifacts / "teach-spotlight.png"))
    teacher.get_by_test_id("spotlight-close").click()
    teacher.get_by_test_id("spotlight").wait_for(state="hidden")

    # Close the class: students are free again.
    teacher.once("dialog", lambda d: d.accept())
    teacher.get_by_test_id("class-close").click()
    teacher.get_by_test_id("open-box").wait_for()
    for pg in students:
        pg.get_by_test_id("class-badge").wait_for(state="hidden")
        assert not pg.locator("#cfg-learning_rate").is_disabled()
    assert watch.foreign == []
    assert [e for e in watch.errors if "WebSocket" not in e] == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_students_badge_fits_a_phone(browser, open_page, base_url, lang, artifacts):
    """At 390 x 844 a joined student's class badge (the longest title allowed) wraps to its
    own row and shortens with an ellipsis; the page never gets wider than the phone."""
    title = "Period 3 Biology, Ms. Kim's second group, room 204, Thursday afternoon lab"
    assert len(title) <= 80  # app/web/class_messages.py: the longest title
    teacher = open_page(base_url + "/teach")
    teacher.get_by_test_id("class-title").fill(title)
    teacher.get_by_test_id("class-open").click()
    teacher.get_by_test_id("class-box").wait_for()
    code = teacher.get_by_test_id("join-code").inner_text()
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        pg = ctx.new_page()
        pg.goto(f"{base_url}/?class={code}#lang={lang}")
        pg.get_by_test_id("class-name").fill("Ann")
        pg.get_by_test_id("class-join").click()
        badge = pg.get_by_test_id("class-badge")
        badge.wait_for()
        wait_drawn(pg)
        pg.screenshot(path=str(artifacts / f"teach-phone-badge-{lang}.png"))
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= 390
        box = badge.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 390
        assert title in badge.get_attribute("title") and "Ann" in badge.get_attribute("title")
        lang_box = pg.get_by_test_id("lang-switch").bounding_box()
        assert lang_box["x"] + lang_box["width"] <= 390  # "English" whole, not clipped
    finally:
        ctx.close()
