"""The page in a real Chromium against a real server: what a user sees and does."""

from __future__ import annotations

import re

import pytest

from .conftest import frame_value, wait_drawn

pytestmark = pytest.mark.browser


def pause(pg) -> int:
    """Pause training if it runs; return the step of the final frame."""
    if pg.evaluate("() => window.__bp.state.running"):
        pg.get_by_test_id("play").click()
    pg.wait_for_function(
        "() => { const s = window.__bp.state; return !s.running && s.frame.state === 'paused'; }"
    )
    return frame_value(pg, "f.step")


def counter(pg, testid: str) -> float:
    """A counter as a person reads it, once the newest frame is drawn (on the next
    animation frame after it arrives)."""
    pg.wait_for_function("() => window.__bp.lastStep === window.__bp.state.frame.step")
    return float(pg.get_by_test_id(testid).inner_text().replace(",", ""))


def test_page_loads_without_console_errors_or_outside_requests(page, watch):
    page.wait_for_function("() => window.__bp.draws >= 3")
    assert watch.errors == []
    assert watch.foreign == []
    assert any(u.endswith("/vendor/plotly.min.js") for u in watch.requests)
    # Controls come from the catalogue: one tile per dataset option, a learning-rate slider.
    options = page.evaluate("() => window.__bp.state.catalogue.fields.dataset.options")
    assert page.locator("#dataset-picker .tile").count() == len(options)
    assert page.get_by_test_id("cfg-learning_rate").get_attribute("type") == "range"


def test_play_raises_epoch_and_lowers_xor_loss(page, artifacts):
    pause(page)
    page.get_by_test_id("reset").click()
    page.wait_for_function("() => window.__bp.state.frame.step === 0")
    loss0 = frame_value(page, "f.train.loss")
    assert counter(page, "epoch") == 0
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "(l0) => { const f = window.__bp.state.frame; "
        "return f.step > 0 && f.train.loss < 0.6 * l0; }",
        arg=loss0,
        timeout=30_000,
    )
    assert counter(page, "epoch") > 0
    page.wait_for_timeout(600)  # let the throttled panels catch up for the screenshot
    page.screenshot(path=artifacts / "xor-training.png", full_page=True)


def test_learning_rate_changes_mid_run_without_reset(page):
    if not page.evaluate("() => window.__bp.state.running"):
        page.get_by_test_id("play").click()
    page.wait_for_function("() => window.__bp.state.frame.step >= 50")
    step_before = frame_value(page, "f.step")
    old = frame_value(page, "f.learning_rate")
    slider = page.get_by_test_id("cfg-learning_rate")
    slider.evaluate(
        "(el) => { el.value = String(+el.value + 24); "
        "el.dispatchEvent(new Event('input', {bubbles: true})); "
        "el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    new = page.evaluate("() => window.__bp.state.config.learning_rate")
    assert new > old
    page.wait_for_function(
        "(lr) => Math.abs(window.__bp.state.frame.learning_rate - lr) < 1e-9 * lr", arg=new
    )
    assert frame_value(page, "f.step") > step_before  # not reset
    shown = page.get_by_test_id("value-learning_rate").inner_text()
    assert float(shown) == pytest.approx(new, rel=0.02)
    assert "learning_rate=" in page.evaluate("() => location.hash")


def test_step_advances_exactly_one_step(page):
    before = pause(page)
    page.get_by_test_id("step").click()
    page.wait_for_function("(s) => window.__bp.state.frame.step !== s", arg=before)
    assert frame_value(page, "f.step") == before + 1
    page.keyboard.press("s")
    page.wait_for_function("(s) => window.__bp.state.frame.step === s + 2", arg=before)
    assert counter(page, "step-count") == before + 2


def test_space_toggles_play_and_pause(page):
    pause(page)
    page.keyboard.press(" ")
    page.wait_for_function("() => window.__bp.state.frame.state === 'running'")
    page.keyboard.press(" ")
    page.wait_for_function("() => window.__bp.state.frame.state === 'paused'")


def test_url_restores_spiral_multiclass(open_page, base_url, artifacts):
    pg = open_page(base_url + "/#dataset=spiral&classes=3&hidden_layers=8,8&activation=relu")
    wait_drawn(pg)
    pg.wait_for_function(
        "() => { const s = window.__bp.state; return s.dataset.name === 'spiral' "
        "&& s.dataset.n_classes === 3 && s.frame.layers.length === 3 "
        "&& s.frame.layers[0].fan_out === 8; }"
    )
    assert pg.get_by_test_id("cfg-activation").input_value() == "relu"
    assert pg.locator("[data-testid=dataset-spiral].on").count() == 1
    pg.wait_for_function("() => window.__bp.state.frame.step > 2000", timeout=30_000)
    pg.screenshot(path=artifacts / "spiral-multiclass.png", full_page=True)


def test_a_link_to_mnist_brings_the_network_the_picker_would(open_page, base_url):
    pg = open_page(base_url + "/#dataset=mnist&learning_rate=0.001")
    wait_drawn(pg)
    pg.wait_for_function(
        "() => { const s = window.__bp.state; return s.dataset.name === 'mnist' "
        "&& s.frame.layers.length === 3 && s.frame.layers[0].fan_in === 784; }"
    )
    preset = pg.evaluate("() => window.__bp.state.catalogue.presets.image")
    config = pg.evaluate("() => window.__bp.state.config")
    assert config["hidden_layers"] == preset["hidden_layers"]
    assert config["activation"] == preset["activation"]
    assert config["learning_rate"] == 0.001  # the link's own value wins over the preset
    # The link stays as short as it came: preset values are not spelled out.
    assert pg.evaluate("() => location.hash") == "#dataset=mnist&learning_rate=0.001"
    assert not pg.get_by_test_id("cfg-n_samples").is_visible()  # digits have a fixed count


def test_activation_change_lands_in_the_url(page):
    page.get_by_test_id("cfg-activation").select_option("relu")
    page.wait_for_function("() => location.hash.includes('activation=relu')")


def test_out_of_range_value_shows_error_next_to_its_control(open_page, base_url, artifacts):
    pg = open_page(base_url + "/#learning_rate=50")
    wait_drawn(pg)
    err = pg.locator("[data-error-for=learning_rate].shown")
    err.wait_for()
    assert "learning_rate" in err.inner_text()
    pg.screenshot(path=artifacts / "error-learning-rate.png")


def test_invalid_upload_shows_the_error(page, artifacts):
    csv = b"x1,x2,label\n0.1,0.2,0\n0.3,hello,1\n0.5,0.6,0\n"
    page.get_by_test_id("upload").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    shown = page.locator(".field-error.shown, [data-testid=toast]").first
    shown.wait_for()
    assert shown.inner_text().strip()
    page.screenshot(path=artifacts / "error-upload.png")


def test_click_on_the_plot_adds_a_point(page):
    pause(page)
    n = page.evaluate("() => window.__bp.state.dataset.train.x.length")
    box = page.get_by_test_id("boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    page.wait_for_function("(n) => window.__bp.state.dataset.train.x.length === n + 1", arg=n)


def test_mnist_shows_weight_images_and_predicts_a_drawing(page, artifacts):
    page.get_by_test_id("dataset-mnist").click()
    page.wait_for_function("() => document.body.classList.contains('mode-image')")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=mnist-weight]').length > 0", timeout=20_000
    )
    assert page.locator("[data-testid=mnist-sample]").count() > 0
    assert not page.get_by_test_id("boundary").is_visible()
    canvas = page.get_by_test_id("draw-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.5, y + h * 0.2)
    page.mouse.down()
    for i in range(1, 13):  # a vertical stroke: a "1"
        page.mouse.move(x + w * 0.5, y + h * (0.2 + 0.6 * i / 12))
    page.mouse.up()
    digit = page.get_by_test_id("pred-digit")
    page.wait_for_function(
        "() => /^[0-9]$/.test(document.querySelector('[data-testid=pred-digit]').textContent)"
    )
    assert re.fullmatch(r"[0-9]", digit.inner_text())
    assert page.locator("#pred-bars .bar-row").count() == 10
    page.screenshot(path=artifacts / "mnist.png", full_page=True)


def test_divergence_shows_a_banner_and_its_reset_recovers(open_page, base_url, artifacts):
    pg = open_page(
        base_url + "/#activation=linear&loss=mse&hidden_layers=8,8&learning_rate=10"
        "&batch_size=250&speed=50"
    )
    banner = pg.get_by_test_id("banner-diverged")
    banner.wait_for(state="visible", timeout=20_000)
    assert "learning rate" in banner.inner_text()
    pg.screenshot(path=artifacts / "diverged.png")
    assert pg.evaluate("() => window.__bp.state.frame.state") == "diverged"
    banner.get_by_role("button").click()
    pg.wait_for_function(
        "() => { const f = window.__bp.state.frame; return f.step === 0 && f.train.loss !== null; }"
    )
    assert banner.is_hidden()


def test_lost_connection_shows_a_banner_and_reconnects(open_page):
    from app.web.settings import Settings
    from tests.live_server import LiveServer, free_port

    port = free_port()
    pg = open_page()
    with LiveServer(Settings(port=port)):
        pg.goto(f"http://127.0.0.1:{port}/#dataset=moons&learning_rate=0.1")
        pg.wait_for_function("() => window.__bp.state.frame && window.__bp.state.frame.step > 0")
    banner = pg.get_by_test_id("banner-connection")
    banner.wait_for(state="visible", timeout=15_000)  # the server went away
    with LiveServer(Settings(port=port)):
        banner.wait_for(state="hidden", timeout=30_000)  # back, by itself
        # The new session gets the page's configuration back (it lives in the URL).
        pg.wait_for_function(
            "() => { const s = window.__bp.state; return s.dataset.name === 'moons' "
            "&& s.frame.learning_rate === 0.1 && s.frame.step > 0; }"
        )


def test_arrow_keys_move_the_learning_rate_slider(page):
    slider = page.get_by_test_id("cfg-learning_rate")
    start = page.evaluate("() => window.__bp.state.config.learning_rate")
    slider.focus()
    seen = [start]
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(v) => window.__bp.state.config.learning_rate > v", arg=seen[-1], timeout=5_000
        )
        seen.append(page.evaluate("() => window.__bp.state.config.learning_rate"))
    assert seen[-1] < 2 * start  # notches, not leaps
    page.wait_for_function("() => location.hash.includes('learning_rate=')")
    shown = page.evaluate("() => location.hash.match(/learning_rate=([^&]*)/)[1]")
    assert len(shown) <= 6 and float(shown) == seen[-1]  # 0.0343, not 0.034300000000000004
