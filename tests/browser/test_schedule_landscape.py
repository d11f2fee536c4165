"""Schedules, stopping and the loss landscape in a real browser."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser


def test_a_stop_condition_set_on_the_page_stops_and_marks_the_curves(page, watch, artifacts):
    page.locator("#more-settings").evaluate("(d) => { d.open = true; }")
    page.select_option("[data-testid=sched-kind]", "step")
    every = page.locator("[data-testid=sched-lr_schedule-every]")
    assert every.is_visible()
    assert not page.locator("[data-testid=sched-lr_schedule-epochs]").is_visible()  # cosine's
    every.fill("1")
    every.dispatch_event("change")
    page.wait_for_function("() => window.__bp.state.config.lr_schedule.every === 1")
    page.click("#btn-play")  # pause, set the stop 3 epochs ahead, play
    page.wait_for_function("() => window.__bp.state.frame.state === 'paused'")
    epoch = page.evaluate("() => window.__bp.state.frame.epoch")
    stop = page.locator("[data-testid=sched-stop_at-epochs]")
    stop.fill(str(int(epoch) + 3))
    stop.dispatch_event("change")
    page.wait_for_function(f"() => window.__bp.state.config.stop_at.epochs === {int(epoch) + 3}")
    page.click("#btn-play")
    page.wait_for_function("() => window.__bp.state.status?.code === 'stopped'", timeout=30_000)
    params = page.evaluate("() => window.__bp.state.status.params")
    assert params["reason"] == "epochs" and params["epoch"] == int(epoch) + 3
    said = page.get_by_test_id("sched-stop").inner_text()
    assert said.startswith(f"Stopped at step {params['step']}: epoch {int(epoch) + 3}")
    page.wait_for_function(
        f"() => document.getElementById('curves').layout.shapes?.[0]?.x0 === {params['step']}"
    )
    # The rate in force after halving each epoch, and shown beside the schedule.
    page.wait_for_function(f"() => window.__bp.state.frame.step === {params['step']}")
    rate = page.evaluate("() => window.__bp.state.frame.learning_rate")
    assert rate == pytest.approx(0.03 * 0.5 ** params["epoch"])
    shown = page.locator("[data-testid=sched-rate]").inner_text()
    assert "Learning rate now" in shown
    # under 1 % of the rate set, the line says training has all but stopped
    assert ("all but stopped" in shown) == (rate < 0.01 * 0.03), (rate, shown)
    page.locator("#curves").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "schedule-stop.png", full_page=True)
    # A bad part is refused by the server, named, and the box shows the session's value again.
    gamma = page.locator("[data-testid=sched-lr_schedule-gamma]")
    gamma.fill("3")
    gamma.dispatch_event("change")
    page.wait_for_function("() => window.__bp.state.config.lr_schedule.gamma === 0.5")
    assert gamma.input_value() == "0.5"
    assert watch.errors == []


def test_the_landscape_panel_draws_contours_and_the_path(page, watch, artifacts):
    page.wait_for_function("() => window.__bp.state.frame?.step > 100")
    page.locator("#landscape-panel summary").click()
    page.wait_for_function(
        "() => document.getElementById('landscape-plot').data?.length === 3", timeout=20_000
    )
    kinds = page.evaluate("() => document.getElementById('landscape-plot').data.map((t) => t.type)")
    assert kinds == ["contour", "scatter", "scatter"]
    first = page.evaluate("() => window.__bp.landscape.last.step")
    n = page.evaluate("() => document.getElementById('landscape-plot').data[1].x.length")
    assert n >= 2
    page.fill("[data-testid=land-res]", "11")
    page.click("[data-testid=land-draw]")
    page.wait_for_function(
        "() => window.__bp.landscape.last.resolution === 11"
        f" && window.__bp.landscape.last.step > {first}"
    )
    assert "Drawn at step" in page.locator("[data-testid=land-caption]").inner_text()
    page.locator("#landscape-panel").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "landscape.png", full_page=False)
    assert watch.errors == []


def test_the_panels_speak_korean(open_page, base_url, watch):
    pg = open_page(base_url + "/#lang=ko")
    wait_drawn(pg)
    pg.wait_for_function("() => document.querySelector('[data-testid=sched-kind]')")
    assert "스케줄" in pg.locator("#schedule-controls").inner_text()
    assert "손실 지형" in pg.locator("#landscape-panel summary").inner_text()
    assert watch.errors == []


def test_a_link_carries_the_schedule_and_the_stop(open_page, base_url, watch):
    sched, stop = quote('{"kind":"cosine","epochs":5}'), quote('{"epochs":2}')
    pg = open_page(base_url + f"/#lr_schedule={sched}&stop_at={stop}")
    wait_drawn(pg)
    pg.wait_for_function("() => window.__bp.state.status?.code === 'stopped'", timeout=20_000)
    cfg = pg.evaluate("() => window.__bp.state.config")
    assert cfg["lr_schedule"]["kind"] == "cosine" and cfg["lr_schedule"]["epochs"] == 5
    assert cfg["stop_at"]["epochs"] == 2
    assert pg.evaluate("() => window.__bp.state.status.params.epoch") == 2.0
    # The hash written back keeps both objects (only what differs from the defaults).
    hash_ = pg.evaluate("() => decodeURIComponent(location.hash)")
    assert '"kind":"cosine"' in hash_ and "stop_at=" in hash_
    assert watch.errors == []
