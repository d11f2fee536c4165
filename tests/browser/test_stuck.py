"""A stuck network is named on the page, with what to try and a Reset."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_dead_relu_layer_shows_a_banner_with_reset_and_dismiss(open_page, base_url, artifacts):
    pg = open_page(base_url + "/#activation=relu&learning_rate=3&init=he_normal")
    banner = pg.get_by_test_id("banner-stuck")
    banner.wait_for(state="visible", timeout=30_000)
    text = banner.inner_text()
    assert "dead" in text and "Leaky ReLU" in text and "learning rate" in text
    pg.screenshot(path=artifacts / "stuck.png")
    before = pg.evaluate("() => window.__bp.state.frame.step")
    banner.get_by_role("button", name="Reset").click()
    pg.wait_for_function(f"() => window.__bp.state.frame.step < {before}")  # a new run
    # At the same rate the new run dies again, and is named again.
    banner.wait_for(state="visible", timeout=30_000)
    banner.get_by_role("button", name="Close").click()
    assert banner.is_hidden()
