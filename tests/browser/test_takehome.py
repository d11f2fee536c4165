"""Take the run home in a real Chromium: export the script, save and open runs, the curves'
CSV, pinned runs labelled by what differs."""

from __future__ import annotations

import json

import pytest

from tests.training.takehome.test_script_export import run_script

from .conftest import frame_value, wait_drawn
from .test_page import pause

pytestmark = pytest.mark.browser


def downloaded(pg, testid: str, tmp_path):
    with pg.expect_download() as info:
        pg.get_by_test_id(testid).click()
    d = info.value
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    return path


def test_export_script_save_open_and_csv(page, open_page, base_url, tmp_path, watch):
    page.get_by_test_id("cfg-optimizer").select_option("adam")
    page.wait_for_function("() => window.__bp.state.frame.step > 30")
    step = pause(page)
    loss = frame_value(page, "f.train.loss")

    script = downloaded(page, "export-script", tmp_path)
    assert script.suffix == ".py" and f"step{step}" in script.name
    got_step, got_loss, _ = run_script(script, 0)
    assert got_step == step and got_loss == pytest.approx(loss, rel=1e-5)
    assert page.get_by_test_id("toast").first.inner_text().startswith("Saved")

    saved = downloaded(page, "save-run", tmp_path)
    run = json.loads(saved.read_text())
    assert run["counters"]["step"] == step and run["config"]["optimizer"] == "adam"

    csv = downloaded(page, "history-csv", tmp_path).read_text().splitlines()
    assert csv[0].startswith("step,epoch,train_loss") and csv[-1].startswith(f"{step},")

    other = open_page(base_url + "/")
    wait_drawn(other)
    other.get_by_test_id("open-run").set_input_files(str(saved))
    # the fresh tab trains XOR with SGD at once and may pass step `step` itself: wait for
    # the opened run's own frame (Adam)
    other.wait_for_function(
        f"() => window.__bp.state.config?.optimizer === 'adam' "
        f"&& window.__bp.state.frame.step === {step}"
    )
    assert frame_value(other, "f.train.loss") == loss
    assert frame_value(other, "f.state") == "paused"
    assert other.evaluate("() => window.__bp.state.config.optimizer") == "adam"

    bad = tmp_path / "not_a_run.json"
    bad.write_text('{"format": "something else"}')
    other.get_by_test_id("open-run").set_input_files(str(bad))
    other.get_by_text("not a Backprop Playground run").wait_for()
    assert frame_value(other, "f.step") == step  # nothing changed
    # Chromium logs the refused file's 400 response; nothing else may go wrong
    assert [e for e in watch.errors if "status of 400" not in e] == []
    assert watch.foreign == []


def test_pinned_curves_are_labelled_and_survive_reset(page, artifacts, watch):
    page.wait_for_function("() => window.__bp.state.frame.step > 100")
    page.get_by_test_id("pin").click()
    page.locator("[data-testid=pins] [data-testid=pin-chip]").first.wait_for()
    page.get_by_test_id("cfg-activation").select_option("relu")
    page.locator("[data-testid=pins]").get_by_text("tanh vs relu").wait_for()
    # the pinned run draws over the new one: training loss + test accuracy, and its grad norms
    assert page.evaluate("() => document.getElementById('curves').data.length") == 6
    page.wait_for_function("() => document.getElementById('gradnorms').data.length === 6")

    page.get_by_test_id("reset").click()
    page.wait_for_function("() => window.__bp.state.frame.step > 50")
    pins = page.locator("[data-testid=pins] [data-testid=pin-chip]")
    assert pins.count() == 1
    assert page.evaluate("() => document.getElementById('curves').data.length") == 6
    page.locator("#inside").screenshot(path=str(artifacts / "pinned_curves.png"))

    for _ in range(4):  # 5 pins in all: the oldest goes, 4 stay
        page.get_by_test_id("pin").click()
    page.wait_for_function("() => (window.__bp.state.pins || []).length === 4")
    pins.first.get_by_role("button").click()
    page.wait_for_function("() => window.__bp.state.pins.length === 3")
    assert pins.count() == 3
    assert watch.errors == []
