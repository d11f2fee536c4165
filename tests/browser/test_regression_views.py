"""Regression on the page: the 1-D curve with its unit contributions, neuron curves, the
value heatmap over the plane, R² in the scores, presets and URL state."""

from __future__ import annotations

import pytest

from .conftest import frame_value, wait_drawn

pytestmark = pytest.mark.browser


def _trained(pg, expr: str, timeout: float = 30_000) -> None:
    pg.wait_for_function(f"() => {{ const f = window.__bp.state.frame; return {expr}; }}",
                         timeout=timeout)  # fmt: skip
    pg.wait_for_timeout(400)  # throttled panels catch up before a screenshot


def test_sine_tile_brings_the_1d_preset_and_draws_the_curve(page, watch, artifacts):
    page.get_by_test_id("dataset-sine").click()
    page.wait_for_function("() => window.__bp.state.dataset?.kind === '1d'")
    cfg = page.evaluate("() => window.__bp.state.config")
    assert cfg["loss"] == "mse" and cfg["activation"] == "relu" and cfg["hidden_layers"] == [16]
    assert "dataset=sine" in page.url  # URL state written against the 1-D preset
    assert "hidden_layers" not in page.url
    _trained(page, "f.curve && f.step > 1500 && f.test.r2 > 0.5")
    assert page.get_by_test_id("curve-plot").is_visible()
    assert not page.get_by_test_id("boundary").is_visible()
    # the plot holds train points, 16 unit contributions and the network's curve
    names = page.evaluate("() => document.getElementById('curve-plot').data.map((t) => t.name)")
    assert names[0] == "train" and names[-1] == "network"
    assert sum(n.startswith("unit ") for n in names) == 16
    drawn = page.evaluate("() => document.getElementById('curve-plot').data.at(-1).y.length")
    assert drawn == len(frame_value(page, "f.curve.x"))
    # scores read R², neurons show curves (images inside the hidden nodes)
    assert page.locator("#test-acc").inner_text() != "–"
    assert "R²" in page.locator(".scores").inner_text()
    # the curves panel plots R² (not an empty accuracy) on its right axis
    page.locator("#curves").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.getElementById('curves').data[3].y.some((v) => v !== null)"
    )
    curves = page.evaluate(
        "() => { const c = document.getElementById('curves'); return {names: c.data.map((t) => "
        "t.name), axis: c.layout.yaxis2.title.text}; }"
    )
    assert curves == {"names": ["train loss", "test loss", "train R²", "test R²"], "axis": "R²"}
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll('#network .node.hidden image')]"
        ".map((i) => i.getAttribute('href') || '')"
    )
    assert len(hrefs) == 16 and all(h.startswith("data:image/png") for h in hrefs)
    page.screenshot(path=artifacts / "regression-1d-sine.png", full_page=False)
    assert watch.errors == []


def test_unit_contributions_can_be_hidden(page):
    page.get_by_test_id("dataset-abs").click()
    _trained(page, "f.curve && f.step > 100")
    page.get_by_test_id("curve-units").uncheck()
    page.wait_for_timeout(200)
    names = page.evaluate("() => document.getElementById('curve-plot').data.map((t) => t.name)")
    assert not any(n.startswith("unit ") for n in names) and names[-1] == "network"


def test_gauss_regression_paints_values_and_takes_no_clicked_points(page, watch, artifacts):
    page.get_by_test_id("dataset-gauss_regression").click()
    page.wait_for_function("() => window.__bp.state.dataset?.task === 'regression'")
    assert page.evaluate("() => window.__bp.state.config.loss") == "mse"
    drawn = "window.__bp.state.heavy.boundary?.value"  # sent, or drawn by the page (forward.js)
    _trained(page, f"{drawn} && f.step > 2000 && f.test.r2 > 0.3", 60_000)
    assert page.get_by_test_id("boundary").is_visible()
    # the canvas under the plot holds blue (positive) and orange (negative) regions
    colours = page.evaluate(
        """() => {
          const c = document.querySelector('[data-testid=boundary-canvas]');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let blue = 0, orange = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 2] > d[i] + 60) blue++;
            if (d[i] > d[i + 2] + 60) orange++;
          }
          return [blue, orange];
        }"""
    )
    assert colours[0] > 200 and colours[1] > 200
    n_train = page.evaluate("() => window.__bp.state.dataset.n_train")
    box = page.get_by_test_id("boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.93, box["y"] + box["height"] * 0.1)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__bp.state.dataset.n_train") == n_train
    page.screenshot(path=artifacts / "regression-2d-gauss.png", full_page=False)
    assert watch.errors == []


def test_a_link_to_a_function_opens_with_its_preset(open_page, base_url):
    pg = open_page(base_url + "/#dataset=cubic&hidden_layers=6")
    wait_drawn(pg)
    pg.wait_for_function("() => window.__bp.state.dataset?.name === 'cubic'")
    cfg = pg.evaluate("() => window.__bp.state.config")
    assert cfg["hidden_layers"] == [6] and cfg["loss"] == "mse" and cfg["activation"] == "relu"
    pg.wait_for_function("() => (window.__bp.state.frame?.curve?.units ?? []).length === 6")


def test_clicking_a_point_on_the_curve_traces_that_example(page, watch):
    page.get_by_test_id("dataset-sine").click()
    page.wait_for_function(
        "() => window.__bp.state.dataset?.kind === '1d' && window.__bp.state.frame?.curve"
        " && document.getElementById('curve-plot')?._fullLayout"
    )
    # The training point farthest from its neighbours on screen, and where it is drawn.
    pt = page.evaluate(
        """() => { const gd = document.getElementById('curve-plot');
        const fl = gd._fullLayout, r = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const d = window.__bp.state.dataset.train;
        const px = d.x.map((x, i) => [fl.xaxis.d2p(x), fl.yaxis.d2p(d.y[i])]);
        let best = 0, bestGap = -1;
        px.forEach(([x, y], i) => {
          const d2 = ([u, v], j) => (i === j ? Infinity : (u - x) ** 2 + (v - y) ** 2);
          const gap = Math.min(...px.map(d2));
          if (gap > bestGap) { bestGap = gap; best = i; }
        });
        return {k: best, x: r.left + px[best][0], y: r.top + px[best][1]}; }"""
    )
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function("() => window.__bp.stepper && window.__bp.stepper.trace")
    trace = page.evaluate("() => window.__bp.stepper.trace")
    assert trace["example"] == pt["k"] and trace["split"] == "train"
    assert trace["batch_size"] == 1
    assert page.get_by_test_id("stepper-panel").is_visible()
    # The example's real-valued target, rounded like every number in the panel.
    row = page.locator("#stepper .sv-row").inner_text()
    target = page.evaluate("(k) => window.__bp.state.dataset.train.y[k]", pt["k"])
    shown = float(row.split("(target ")[1].rstrip(")").replace("−", "-"))
    assert shown == pytest.approx(target, abs=1e-3) and len(row.split("(target ")[1]) <= 9
    # Backward through the output: t is the target value, rounded, and no class is named.
    L = len(trace["layers"])
    page.locator(".sv-stages button", has_text="← out").first.click()
    page.locator(f'#stepper .node[data-layer="{L}"][data-index="0"]').dispatch_event("click")
    formula = page.get_by_test_id("stepper-formula").inner_text()
    assert "target value" in formula and "class" not in formula, formula
    exact = trace["labels"][0]
    assert repr(exact) not in formula and f"{exact:.4g}".replace("-", "−") in formula
    assert watch.errors == []
