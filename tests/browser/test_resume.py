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


@pytest.mark.parametrize(
    ("lang", "off", "on"),
    [
        ("en", "no longer saved on the server", "Your run is saved on the server again"),
        ("ko", "더 이상 저장할 수 없습니다", "서버에 학습 상태를 다시 저장합니다."),
    ],
)
def test_the_page_says_when_checkpoints_stop_and_come_back(
    open_page, tmp_path, monkeypatch, artifacts, lang, off, on
):
    """The state folder refuses (a file where it should be): a toast says the run is no
    longer saved; the folder fixed, the server's retry writes and a toast says so (in
    English, the server's own words; in Korean, the page's)."""
    from app.web.settings import Settings
    from tests.live_server import LiveServer

    monkeypatch.setattr("app.web.checkpoints.RETRY_S", (0.5, 1.0))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(port=0, state_dir=str(blocker / "state"), checkpoint_every_s=0.2)
    with LiveServer(settings) as server:
        pg = open_page(f"{server.url}/#lang={lang}")
        wait_drawn(pg)
        toasts = pg.get_by_test_id("toast")
        toasts.filter(has_text=off).first.wait_for(timeout=15_000)
        blocker.unlink()
        back = toasts.filter(has_text=on).first
        back.wait_for(timeout=15_000)
        assert back.inner_text() == on
        pg.screenshot(path=str(artifacts / f"checkpoints-back-{lang}.png"))
