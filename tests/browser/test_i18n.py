"""English and Korean: the header switch, `lang` in the URL, the browser's language."""

from __future__ import annotations

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser


def text(pg, testid: str) -> str:
    return pg.get_by_test_id(testid).inner_text()


def test_switch_to_korean_rewrites_the_page_and_the_url(page, watch):
    assert text(page, "stepper-open") == "Step through backprop"
    page.get_by_test_id("lang-ko").click()
    page.wait_for_function("() => location.hash.includes('lang=ko')")
    assert text(page, "stepper-open") == "역전파 한 단계씩 보기"
    assert page.evaluate("() => document.documentElement.lang") == "ko"
    label = page.locator("label[for=cfg-learning_rate]").inner_text()
    assert label.startswith("학습률")
    assert page.locator("#cfg-activation option[value=linear]").inner_text() == "선형"
    page.get_by_test_id("lang-en").click()
    page.wait_for_function("() => location.hash.includes('lang=en')")
    assert page.locator("label[for=cfg-learning_rate]").inner_text().startswith("Learning rate")
    assert watch.errors == []


def test_lang_in_the_link_wins_and_stays_with_the_config(open_page, base_url, watch):
    pg = open_page(base_url + "/#lang=ko&learning_rate=0.1")
    wait_drawn(pg)
    assert text(pg, "stepper-open") == "역전파 한 단계씩 보기"
    pg.get_by_test_id("cfg-activation").select_option("relu")
    pg.wait_for_function("() => location.hash.includes('activation=relu')")
    assert "lang=ko" in pg.evaluate("() => location.hash")
    # `lang` is the page's: the server never heard of it, so no error was shown.
    assert pg.locator(".field-error.shown, [data-testid=toast]").count() == 0
    assert watch.errors == []


def test_lang_in_the_query_chooses_korean_and_the_hash_still_wins(open_page, base_url, watch):
    pg = open_page(base_url + "/?lang=ko")
    wait_drawn(pg)
    assert text(pg, "stepper-open") == "역전파 한 단계씩 보기"
    assert pg.evaluate("() => document.documentElement.lang") == "ko"
    pg = open_page(base_url + "/?lang=ko#lang=en")
    wait_drawn(pg)
    assert text(pg, "stepper-open") == "Step through backprop"
    assert watch.errors == []


def test_browser_language_is_the_default(browser, base_url):
    for locale, want in (("ko-KR", "역전파 한 단계씩 보기"), ("de-DE", "Step through backprop")):
        context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
        try:
            pg = context.new_page()
            pg.goto(base_url + "/")
            wait_drawn(pg)
            assert text(pg, "stepper-open") == want
            assert "lang=" not in pg.evaluate("() => location.hash")
        finally:
            context.close()


# Names and symbols that stay as they are in Korean (technical names, math, keys).
KEEP = (
    r"\b(XOR|MNIST|CSV|SGD|Adam|RMSprop|Nesterov|ReLU|Leaky|Tanh|tanh|Sigmoid|sigmoid|Softmax|"
    r"softmax|linear|Xavier|LeCun|float32|float64|log|exp|max|sign|sin|cos|MSE|BCE|Esc|Shift|"
    r"Alt|Tab|Enter|Home|End|PageUp|PageDown|Space|NaN|nan|inf|Infinity|new|next)\b"
)

UNTRANSLATED = """(keep) => {
  const allow = new RegExp(keep, "g");
  const bad = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("[translate=no], script, style, title")) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const rest = n.textContent.replace(allow, " ");
    if (/[A-Za-z]{3,}/.test(rest)) bad.add(n.textContent.trim().slice(0, 90));
  }
  return [...bad];
}"""


def untranslated(pg) -> list[str]:
    return pg.evaluate(UNTRANSLATED, KEEP)


def test_korean_page_has_no_untranslated_text_step_through_included(
    open_page, base_url, watch, artifacts
):
    # A refused value too: its error is shown in Korean beside the control.
    pg = open_page(base_url + "/#lang=ko&learning_rate=50")
    wait_drawn(pg)
    err = pg.locator("[data-error-for=learning_rate].shown")
    err.wait_for()
    assert "학습률" in err.inner_text() and "10" in err.inner_text()
    pg.wait_for_function("() => window.__bp.draws > 5")
    pg.wait_for_timeout(700)  # the throttled panels draw their words
    assert untranslated(pg) == []
    pg.screenshot(path=artifacts / "korean-page.png", full_page=True)

    pg.get_by_test_id("stepper-open").click()
    pg.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace")
    n = pg.evaluate("() => window.__bp.stepper.stages.length")
    for i in range(n):
        pg.evaluate("(i) => window.__bp.stepper.go(i)", i)
        assert untranslated(pg) == [], pg.get_by_test_id("stepper-stage-title").inner_text()
    # the update stage with an edge selected: its gradient check, run
    pg.evaluate("() => window.__bp.stepper.select({type: 'edge', layer: 1, i: 0, j: 0})")
    pg.get_by_test_id("stepper-gradcheck-run").click()
    pg.get_by_test_id("stepper-relerr").wait_for()
    assert untranslated(pg) == []
    pg.screenshot(path=artifacts / "korean-stepper.png")
    # The check can fail: the same page in English has plenty of English in it.
    pg.get_by_test_id("stepper-close").click()
    pg.get_by_test_id("lang-en").click()
    assert len(untranslated(pg)) > 20
    assert watch.errors == []
