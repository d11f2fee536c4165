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


def test_a_link_that_keeps_the_default_widths_still_draws_the_marks(open_page, base_url, watch):
    """The diagram is drawn before the link's config comes (the default 4, 4): settings that
    change no width must still reach it."""
    pg = open_page(base_url + "/#hidden_layers=4:bn:d0.5,4:ln:res")
    wait_drawn(pg)
    pg.wait_for_function(
        "() => window.__bp.state.frame?.layers?.[1]?.residual === true", timeout=15_000
    )
    pg.get_by_test_id("skip-arrow-1").wait_for(timeout=5_000)
    assert "BN" in pg.get_by_test_id("layer-mark-0").text_content()
    assert "LN" in pg.get_by_test_id("layer-mark-1").text_content()
    assert pg.locator("#network .node.dropout").count() == 4
    assert watch.errors == []


def test_the_stepper_has_stages_for_the_norm_the_mask_and_the_skip(open_page, base_url, watch):
    pg = open_page(base_url + "/#hidden_layers=4:bn:d0.5,4:ln:res&batch_size=4")
    wait_drawn(pg)
    pg.get_by_test_id("stepper-open").click()
    pg.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace", timeout=15_000)
    shorts = pg.locator(".sv-stages button").all_inner_texts()
    assert shorts.index("→ norm1") == shorts.index("→ h1") + 1
    assert shorts.index("→ drop1") == shorts.index("→ norm1") + 1
    assert shorts.index("→ skip2") > shorts.index("→ norm2")
    # backward: mask and norm before the layer's own stage, the skip's split after it
    assert shorts.index("← drop1") < shorts.index("← norm1") < shorts.index("← h1")
    assert shorts.index("← h2") < shorts.index("← skip2")
    trace = pg.evaluate("() => window.__bp.stepper.trace")
    lt1, lt2 = trace["layers"][:2]

    def show(short: str) -> dict:
        pg.locator(".sv-stages button", has_text=short).first.click()
        cells = pg.locator("[data-testid=stepper-formula] [data-quantity]")
        return {
            c.get_attribute("data-quantity"): float(c.get_attribute("data-value"))
            for c in cells.all()
        }

    got = show("← norm1")  # the three terms of dL/dz, unit 1 of example 1
    assert got["dL_dz"] == pytest.approx(lt1["dL_dz"][0][0], rel=1e-6, abs=1e-9)
    got = show("→ norm1")
    assert got["x_hat"] == pytest.approx(lt1["norm"]["x_hat"][0][0], rel=1e-6, abs=1e-9)
    got = show("← skip2")  # through the layer + the skip = the whole gradient
    assert got["through"] + got["skip"] == pytest.approx(got["dL_da_in"], rel=1e-6, abs=1e-9)
    assert got["dL_da_in"] == pytest.approx(lt2["dL_da_in"][0][0], rel=1e-6, abs=1e-9)
    # the gradient check of gamma at the norm's backward stage: the traced masks make it exact
    show("← norm1")
    pg.get_by_test_id("stepper-gradcheck-run").click()
    relerr = pg.get_by_test_id("stepper-relerr")
    relerr.wait_for(timeout=15_000)
    assert float(relerr.get_attribute("data-value")) < 1e-6
    dropped = sum(1 for k in range(4) if lt1["mask"][0][k] == 0)
    # what layer 1's units show as the pass goes through it (example 1): z, then a = f(y)
    # with no unit dropped yet, then f(y) * mask with the dropped ones marked
    for short, quantity, want, marked in (
        ("→ h1", "z", lt1["z"][0], 0),
        ("→ norm1", "a", lt1["act_out"][0], 0),
        (
            "→ drop1",
            "a",
            [f * m for f, m in zip(lt1["act_out"][0], lt1["mask"][0], strict=True)],
            dropped,
        ),
        (
            "← drop1",
            "dL/df",
            [d * m for d, m in zip(lt1["dL_da"][0], lt1["mask"][0], strict=True)],
            dropped,
        ),
        ("← norm1", "dL/dz", lt1["dL_dz"][0], dropped),
    ):
        show(short)
        units = pg.locator("#stepper [data-testid=stepper-neuron][data-col='1']")
        assert units.count() == 4
        for k in range(4):
            unit = units.nth(k)
            assert unit.get_attribute("data-quantity") == quantity, short
            got = float(unit.get_attribute("data-value"))
            assert got == pytest.approx(want[k], rel=1e-6, abs=1e-9), (short, k)
        assert pg.locator("#stepper .node.sv-dropped").count() == marked, short
    assert watch.errors == []
