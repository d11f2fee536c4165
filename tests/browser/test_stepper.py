"""The backprop step-through in a real Chromium against a real server: one traced training
step, walked stage by stage, with formulas, a gradient check and the MNIST aggregates."""

from __future__ import annotations

import math
import re

import pytest

pytestmark = pytest.mark.browser

STAGE_KINDS = re.compile(r"^(Forward|Loss|Backward|Update) · ")


def open_stepper(page) -> dict:
    """Click "Step through backprop" and wait for the trace; return a few facts about it."""
    page.get_by_test_id("stepper-open").click()
    page.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace")
    assert page.get_by_test_id("stepper-panel").is_visible()
    return page.evaluate(
        """() => { const t = window.__bp.stepper.trace;
        return {layers: t.layers.length, stages: window.__bp.stepper.stages.length,
                batch: t.batch_size}; }"""
    )


def title(page) -> str:
    return page.get_by_test_id("stepper-stage-title").inner_text()


def shown_number(text: str) -> float:
    """Parse a displayed number: true minus signs and a×10ⁿ notation."""
    sup = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
    text = text.strip().strip("()").replace("−", "-")
    if "×10" in text:
        m, e = text.split("×10")
        return float(m) * 10 ** int(e.translate(sup))
    return float(text)


def same_3_sig(a: float, b: float) -> bool:
    return (
        a == b
        or (math.isfinite(a) and math.isfinite(b) and f"{a:.2e}" == f"{b:.2e}")
        or abs(a - b) <= 5e-4 * max(abs(a), abs(b))
    )


def click_edge(page, layer: int, i: int, j: int) -> dict:
    """Click the middle of an edge's hit path with the mouse; return the selection made."""
    pt = page.evaluate(
        """([l, i, j]) => {
        const p = document.querySelector(
          `#stepper .sv-hit[data-layer="${l}"][data-i="${i}"][data-j="${j}"]`);
        const len = p.getTotalLength(), q = p.getPointAtLength(len * 0.62);
        const m = p.getScreenCTM(); return {x: m.a * q.x + m.e, y: m.d * q.y + m.f}; }""",
        [layer, i, j],
    )
    page.mouse.click(pt["x"], pt["y"])
    sel = page.evaluate("() => window.__bp.stepper.selection")
    assert sel["type"] == "edge" and sel["layer"] == layer
    return sel


def test_xor_walk_every_stage_with_formulas_and_gradcheck(page, watch, artifacts):
    facts = open_stepper(page)
    L, n_stages = facts["layers"], facts["stages"]
    assert L == 3 and n_stages == 2 * L + 2  # 2-4-4-2: 3 forward, loss, 3 backward, update
    titles = [title(page)]
    assert titles[0].startswith("Forward")
    # the formula shows the first hidden neuron's z with numbers
    assert re.search(r"z.*=.*\d\.\d+", page.get_by_test_id("stepper-formula").inner_text(), re.S)
    page.screenshot(path=artifacts / "stepper-xor-forward.png")

    for k in range(1, n_stages):
        if k == 2:
            page.keyboard.press("ArrowRight")
        else:
            page.get_by_test_id("stepper-next").click()
        page.wait_for_function("(k) => window.__bp.stepper.index === k", arg=k)
        titles.append(title(page))
        assert page.get_by_test_id("stepper-count").inner_text() == f"{k + 1} / {n_stages}"
        if titles[-1].startswith("Loss"):
            formula = page.get_by_test_id("stepper-formula").inner_text()
            assert "L =" in formula and "log" in formula
            page.screenshot(path=artifacts / "stepper-xor-loss.png")
        if k == L + 1:  # backward through the output layer
            assert titles[-1] == "Backward · output layer"
            page.locator(f'#stepper .node[data-layer="{L}"][data-index="1"]').click()
            formula = page.get_by_test_id("stepper-formula")
            assert re.search(r"dL/dz.*=.*\d", formula.inner_text(), re.S)
            shown = shown_number(formula.locator('[data-quantity="dL_dz"]').inner_text())
            want = page.evaluate(
                "() => window.__bp.stepper.trace.layers.at(-1).dL_dz[window.__bp.stepper.row][1]"
            )
            assert same_3_sig(shown, want), (shown, want)
            page.screenshot(path=artifacts / "stepper-xor-backward-output.png")
    assert page.get_by_test_id("stepper-next").is_disabled()
    kinds = [STAGE_KINDS.match(t).group(1) for t in titles]
    assert kinds == ["Forward"] * L + ["Loss"] + ["Backward"] * L + ["Update"], titles
    # ← goes back one stage: to the backward pass through the first hidden layer
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => window.__bp.stepper.index === {n_stages - 2}")
    assert title(page) == "Backward · hidden layer 1"

    # An edge of the output layer: its dL/dW with numbers, equal to the trace's value.
    sel = click_edge(page, L, 1, 0)
    formula = page.get_by_test_id("stepper-formula")
    assert re.search(r"dL/dW.*=.*\d\.\d+", formula.inner_text(), re.S)
    shown = shown_number(formula.locator('[data-quantity="dW"]').inner_text())
    want = page.evaluate(
        "([i, j]) => window.__bp.stepper.trace.layers.at(-1).dW[i][j]", [sel["i"], sel["j"]]
    )
    assert same_3_sig(shown, want), (shown, want)

    # Gradient check: finite differences agree with backprop.
    page.get_by_test_id("stepper-gradcheck-run").click()
    relerr = page.get_by_test_id("stepper-relerr")
    relerr.wait_for()
    assert shown_number(relerr.inner_text()) < 1e-4
    assert "good" in relerr.get_attribute("class")
    numeric = shown_number(
        page.get_by_test_id("stepper-gradcheck").locator('[data-quantity="numeric"]').inner_text()
    )
    assert same_3_sig(numeric, want)
    page.screenshot(path=artifacts / "stepper-xor-gradcheck.png")

    # The update stage: W_new with numbers and the loss before → after.
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.__bp.stepper.index === {n_stages - 1}")
    new = page.get_by_test_id("stepper-formula").locator('[data-quantity="new"]').first
    want_new = page.evaluate(
        "([i, j]) => window.__bp.stepper.trace.layers.at(-1).W_new[i][j]", [sel["i"], sel["j"]]
    )
    assert same_3_sig(shown_number(new.inner_text()), want_new)
    change = page.get_by_test_id("stepper-loss-change").inner_text()
    assert "before" in change and "after" in change
    page.screenshot(path=artifacts / "stepper-xor-update.png")

    page.keyboard.press("Escape")
    assert page.get_by_test_id("stepper-panel").is_hidden()
    assert watch.errors == []


def test_mnist_step_through_shows_dw_images(page, watch, artifacts):
    page.evaluate(
        """() => window.__bp.send({type: "configure", config: {dataset: "mnist",
        hidden_layers: [64, 32], activation: "relu", train_fraction: 0.8, batch_size: 32}})"""
    )
    page.wait_for_function(
        "() => window.__bp.state.dataset?.kind === 'image' && window.__bp.state.frame",
        timeout=20_000,
    )
    facts = open_stepper(page)
    assert facts == {"layers": 3, "stages": 8, "batch": 32}
    images = page.get_by_test_id("stepper-dw-image")
    assert images.count() == 16
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stepper-dw-image]')]"
        ".every((i) => i.complete && i.naturalWidth === 28)"
    )
    assert page.get_by_test_id("stepper-norms").locator("tbody tr").count() == 3
    # backward through the first layer: 784 inputs are summarized, not listed
    page.evaluate("() => window.__bp.stepper.go(6)")
    assert title(page) == "Backward · hidden layer 1"
    assert re.search(r"dL/dz.*=.*\d", page.get_by_test_id("stepper-formula").inner_text(), re.S)
    page.screenshot(path=artifacts / "stepper-mnist-backward.png", full_page=False)

    # One example: its digit appears beside the example picker.
    page.get_by_test_id("stepper-example").fill("5")
    page.get_by_test_id("stepper-again").click()
    page.wait_for_function("() => window.__bp.stepper.trace.example === 5")
    assert page.get_by_test_id("stepper-digit").is_visible()
    page.get_by_test_id("stepper-next").click()
    page.screenshot(path=artifacts / "stepper-mnist-one-example.png")
    assert watch.errors == []


COMBOS = [
    {"loss": "binary_cross_entropy", "activation": "sigmoid", "optimizer": "adam"},
    {"loss": "mse", "activation": "relu", "optimizer": "momentum", "l2": 0.01},
    {"loss": "mse", "activation": "leaky_relu", "optimizer": "rmsprop", "classes": 3},
    {"loss": "cross_entropy", "activation": "linear", "optimizer": "nesterov", "l1": 0.001},
]


def test_every_loss_activation_and_optimizer_renders_numbers(page, watch, artifacts):
    """Each output+loss, activation and optimizer: every stage, a neuron and an edge, with
    numbers (no NaN/undefined) and the output dL/dz as the trace has it."""
    page.get_by_test_id("stepper-open").click()
    page.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace")
    for combo in COMBOS:
        config = {"dataset": "blobs" if "classes" in combo else "xor", **combo}
        page.evaluate(
            "(c) => window.__bp.send({type: 'configure', config: c})",
            config,
        )
        page.wait_for_function(
            "(c) => window.__bp.state.status?.config?.loss === c.loss"
            " && window.__bp.state.status.config.optimizer === c.optimizer",
            arg=config,
        )
        page.get_by_test_id("stepper-again").click()
        page.wait_for_function(
            "(c) => window.__bp.stepper.trace?.optimizer === c.optimizer"
            " && window.__bp.stepper.trace.loss_name === c.loss",
            arg=config,
        )
        n = page.evaluate("() => window.__bp.stepper.stages.length")
        for k in range(n):
            for sel in (
                "{type: 'neuron', col: 1, k: 0}",
                "{type: 'neuron', col: window.__bp.stepper.trace.layers.length, k: 0}",
                "{type: 'edge', layer: 2, i: 1, j: 0}",
            ):
                text = page.evaluate(
                    f"() => {{ const s = window.__bp.stepper; s.go({k}); s.select({sel});"
                    " return document.querySelector('[data-testid=stepper-formula]').innerText; }"
                )
                assert re.search(r"\d", text), (combo, k, text)
                assert "NaN" not in text and "undefined" not in text, (combo, k, text)
        # the output layer's dL/dz, as displayed at the backward stage, is the trace's
        L = page.evaluate("() => window.__bp.stepper.trace.layers.length")
        page.evaluate(
            f"() => {{ const s = window.__bp.stepper; s.go({L + 1}); "
            f"s.select({{type: 'neuron', col: {L}, k: 0}}); }}"
        )
        shown = shown_number(
            page.get_by_test_id("stepper-formula").locator('[data-quantity="dL_dz"]').inner_text()
        )
        want = page.evaluate("() => window.__bp.stepper.trace.layers.at(-1).dL_dz[0][0]")
        assert same_3_sig(shown, want), (combo, shown, want)
        page.evaluate(f"() => window.__bp.stepper.go({n - 1})")
        page.locator('#stepper .node[data-layer="1"][data-index="0"]').click()
        page.screenshot(path=artifacts / f"stepper-{combo['loss']}-{combo['optimizer']}.png")
    assert watch.errors == []


def test_clicking_a_point_on_the_plot_traces_that_example(page, watch):
    page.wait_for_function("() => window.__bp.state.dataset && window.__bp.state.dataset.train")
    n_train = page.evaluate("() => window.__bp.state.dataset.n_train")
    k = 7
    # Where training point k is drawn on the screen (the plot's own axes convert it).
    pt = page.evaluate(
        """(k) => { const gd = document.querySelector('[data-testid=boundary]');
        const fl = gd._fullLayout, r = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const d = window.__bp.state.dataset.train;
        return {x: r.left + fl.xaxis.d2p(d.x[k]), y: r.top + fl.yaxis.d2p(d.y[k])}; }""",
        k,
    )
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace")
    trace = page.evaluate("() => window.__bp.stepper.trace")
    assert trace["example"] == k and trace["split"] == "train" and trace["batch_size"] == 1
    label = page.evaluate("(k) => window.__bp.state.dataset.train.label[k]", k)
    assert trace["labels"] == [label]
    # A click on a point traces; it does not add one.
    assert page.evaluate("() => window.__bp.state.dataset.n_train") == n_train
    assert watch.errors == []
