// Hidden layers editor: +/− for the number of layers, and +/− above each layer (TF Playground).
import { configure, field, state } from "./state.js";
import { t } from "./i18n.js";
import { badges, markLayers, openLayerEditor, units, withUnits } from "./layer_settings.js";

function button(text, title, testid, onClick, disabled) {
  const b = document.createElement("button");
  b.className = "pm";
  b.textContent = text;
  b.title = title;
  b.dataset.testid = testid;
  b.disabled = disabled;
  b.addEventListener("click", onClick);
  return b;
}

/** Render both editors; `net` is the drawNetwork handle (for column positions). */
export function renderLayerButtons(net) {
  const f = field("hidden_layers");
  const layers = state.config.hidden_layers ?? [];
  document.getElementById("n-layers").textContent = t("net.hidden_layers", { n: layers.length });
  const count = document.getElementById("layer-count");
  if (!f) { count.replaceChildren(); return; }
  const lastWidth = units(layers[layers.length - 1]) ?? Math.min(4, f.max);
  count.replaceChildren(
    button("−", t("net.remove_layer"), "layers-minus",
      () => configure({ hidden_layers: layers.slice(0, -1) }), layers.length <= f.min_layers),
    button("+", t("net.add_layer"), "layers-plus",
      () => configure({ hidden_layers: [...layers, lastWidth] }), layers.length >= f.max_layers),
  );
  let row = document.getElementById("layer-buttons");
  if (!row) {
    row = document.createElement("div");
    row.id = "layer-buttons";
    row.className = "layer-buttons";
    document.getElementById("network-wrap").prepend(row);
  }
  row.replaceChildren();
  if (!net) return;
  markLayers(net, layers);
  const svgBox = net.svg.getBoundingClientRect();
  const wrapBox = row.parentElement.getBoundingClientRect();
  const vb = net.svg.viewBox.baseVal;
  const sx = vb.width ? svgBox.width / vb.width : 1;
  layers.forEach((entry, i) => {
    const w = units(entry);
    const g = document.createElement("div");
    g.className = "layer-pm";
    g.style.left = `${svgBox.left - wrapBox.left + net.columnX(i + 1) * sx}px`;
    const set = (nw) => configure({ hidden_layers: layers.map((x, j) => (j === i ? withUnits(x, nw) : x)) });
    g.append(
      button("+", t("net.add_neuron"), `neurons-plus-${i}`, () => set(Math.min(f.max, w + 1)), w >= f.max),
      button("−", t("net.remove_neuron"), `neurons-minus-${i}`, () => set(Math.max(f.min, w - 1)), w <= f.min),
    );
    // The header: a click opens the layer's own settings (activation, norm, dropout, residual).
    const lab = document.createElement("button");
    lab.className = "layer-header";
    lab.dataset.testid = `layer-header-${i}`;
    lab.title = t("layer.edit", { l: i + 1 });
    lab.textContent = t("net.neurons", { n: w });
    const extra = badges(entry);
    if (extra) {
      const b = document.createElement("span");
      b.className = "layer-badges";
      b.textContent = extra;
      lab.append(b);
    }
    lab.addEventListener("click", () => openLayerEditor(i, lab));
    g.append(lab);
    row.append(g);
  });
}
