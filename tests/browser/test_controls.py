"""The controls read the catalogue: option labels, which setting applies when, the seed range."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_controls_follow_the_catalogue(page, watch):
    page.wait_for_function("() => window.__bp.draws >= 1")
    fields = page.evaluate("() => window.__bp.state.catalogue.fields")
    opt = page.get_by_test_id("cfg-optimizer")
    shown = opt.locator("option").all_inner_texts()
    assert shown == [fields["optimizer"]["labels"][o] for o in fields["optimizer"]["options"]]
    loss = page.get_by_test_id("cfg-loss").locator("option").all_inner_texts()
    assert loss == [fields["loss"]["labels"][o] for o in fields["loss"]["options"]]

    def visible(key: str) -> bool:
        return page.locator(f'[data-key="{key}"]').is_visible()

    for name in fields["optimizer"]["options"]:
        opt.select_option(name)
        page.wait_for_function(f"() => window.__bp.state.config.optimizer === '{name}'")
        for key in ("momentum", "beta1", "beta2", "rho"):
            assert visible(key) == (name in fields[key]["when"]["optimizer"]), (name, key)

    seed = fields["seed"]
    for _ in range(3):  # a new seed is drawn from the catalogue's range, and accepted
        before = page.evaluate("() => window.__bp.state.config.seed")
        page.locator("#btn-regen").click()
        page.wait_for_function(f"() => window.__bp.state.config.seed !== {before}")
        value = page.evaluate("() => window.__bp.state.config.seed")
        assert seed["min"] <= value <= seed["max"]
    assert watch.errors == []
