"""A reloaded tab gets its run back (its session id is kept in sessionStorage); the page says
so, in English and Korean. Another tab gets a session of its own."""

from __future__ import annotations

import pytest

from .conftest import frame_value, wait_drawn
from .test_page import pause

pytestmark = pytest.mark.browser


def test_a_reloaded_tab_gets_its_run_back_and_says_so(page, open_page, base_url, artifacts):
    page.wait_for_function("() => window.__bp.state.frame.step > 30")
    step = pause(page)
    sid = page.evaluate("() => window.__bp.state.session")
    assert page.evaluate("() => sessionStorage.getItem('bp-session')") == sid
    page.reload()
    wait_drawn(page)
    assert page.evaluate("() => window.__bp.state.session") == sid
    assert page.evaluate("() => window.__bp.state.hello.resumed") == {"step": step}
    assert frame_value(page, "f.step") == step and frame_value(page, "f.state") == "paused"
    toast = page.get_by_test_id("toast").filter(has_text="restored")
    assert toast.first.inner_text() == f"Welcome back: your run was restored at step {step}."
    page.screenshot(path=str(artifacts / "resumed.png"))

    other = open_page(base_url + "/")
    wait_drawn(other)
    assert other.evaluate("() => window.__bp.state.session") != sid
    assert other.evaluate("() => window.__bp.state.hello.resumed") is None


def test_the_korean_page_says_it_in_korean(open_page, base_url):
    pg = open_page(base_url + "/#lang=ko")
    wait_drawn(pg)
    step = pause(pg)
    pg.reload()
    wait_drawn(pg)
    toast = pg.get_by_test_id("toast").filter(has_text="복원")
    assert toast.first.inner_text() == f"다시 연결되었습니다: {step} 단계의 학습을 복원했습니다."
