"""A hidden layer's own settings on the page: the header opens them, the diagram draws them,
the URL keeps them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_drawn

pytestmark = pytest.mark.browser


def test_a_layer_header_edits_its_norm_dropout_residual_and_activation(page, watch):
    page.get_by_test_id("layer-header-1").click()
    editor = page.get_by_test_id("layer-editor")
    assert editor.is_visible()
    page.get_by_test_id("layer-norm").select_option("batch")
    page.wait_for_function(
        "() => window.__bp.state.config.hidden_layers[1]?.norm === 'batch'", timeout=10_000
    )
    page.get_by_test_id("layer-activation").select_option("relu")
    page.get_by_test_id("layer-residual").check()
    page.wait_for_function(
        "() => { const l = window.__bp.state.config.hidden_layers[1];"
        " return l.activation === 'relu' && l.residual === true; }",
        timeout=10_000,
    )
    # the server built it: the frame carries the layer's norm, and the diagram draws it
    page.wait_for_function(
        "() => window.__bp.state.frame?.layers?.[1]?.norm?.kind === 'batch'", timeout=15_000
    )
    assert page.get_by_test_id("skip-arrow-1").count() == 1
    assert "BN" in page.get_by_test_id("layer-mark-1").text_content()
    assert "skip" in page.get_by_test_id("layer-header-1").inner_text()
    assert "hidden_layers=4,4:relu:bn:res" in page.evaluate("location.hash")
    page.keyboard.press("Escape")
    assert page.get_by_test_id("layer-editor").count() == 0
    assert watch.errors == []


def test_a_link_with_layer_settings_opens_them(open_page, base_url, watch):
    pg = open_page(base_url + "/#hidden_layers=6:bn:d0.5,6:tanh:ln:res")
    wait_drawn(pg)
    pg.wait_for_function(
        "() => window.__bp.state.frame?.layers?.[1]?.residual === true", timeout=15_000
    )
    layers = pg.evaluate("() => window.__bp.state.config.hidden_layers")
    assert layers[0] == {
        "units": 6,
        "activation": None,
        "norm": "batch",
        "dropout": 0.5,
        "residual": False,
    }
    assert layers[1]["norm"] == "layer" and layers[1]["activation"] == "tanh"
    assert pg.locator("#network .node.dropout").count() == 6  # layer 1's units, dashed
    assert watch.errors == []
