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
    assert page.locator("#cfg-activation option[value=linear]").inner_text() == "선형 (linear)"
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
