// The colour legend under the output plane. One scale, orange −1 → white → blue +1, colours
// the neuron maps, the input pictures and the weights; the plane itself shows what the data
// asks: P(class 1) for two classes (the same scale), the winning class's own colour for three
// or more, the predicted value for a regression (orange low → blue high).
import { on, state } from "./state.js";
import { t } from "./i18n.js";
import { classColor } from "./grid.js";

const $ = (id) => document.getElementById(id);
let drawnFor = null;

function swatch(colour, label) {
  const s = document.createElement("span");
  s.className = "cl-class";
  const box = document.createElement("i");
  box.style.background = colour;
  box.setAttribute("aria-hidden", "true");
  s.append(box, label);
  return s;
}

export function drawLegend() {
  const ds = state.dataset;
  const box = $("colour-legend");
  if (!ds || !box) return;
  const key = `${ds.name}|${ds.task}|${ds.n_classes}|${ds.target_range}|${document.documentElement.lang}`;
  if (key === drawnFor) return;
  drawnFor = key;
  const n = ds.n_classes ?? 2;
  const name = (k) => ds.class_names?.[k] ?? String(k);
  const [neg, pos, what, classes] = box.querySelectorAll(".cl-neg, .cl-pos, .cl-what, .cl-classes");
  classes.replaceChildren();
  classes.hidden = true;
  if (ds.task === "regression") {
    // the scale is symmetric, as boundary.js's valueScale: ±max|target|
    const m = Math.max(...(ds.target_range ?? [-1, 1]).map(Math.abs)) || 1;
    const num = (v) => String(+v.toPrecision(3)).replace("-", "−");
    neg.textContent = t("legend.low", { v: num(-m) });
    pos.textContent = t("legend.high", { v: `+${num(m)}` });
    what.textContent = t("legend.what_value");
  } else if (n <= 2) {
    neg.textContent = t("legend.negative_class", { name: name(0) });
    pos.textContent = t("legend.positive_class", { name: name(1) });
    what.textContent = t("legend.what");
  } else {
    neg.textContent = "−1";
    pos.textContent = "+1";
    what.textContent = t("legend.what_maps");
    classes.append(t("legend.plane_classes"), ...Array.from({ length: n }, (_, k) =>
      swatch(classColor(k, n), t("legend.class", { name: name(k) }))));
    classes.hidden = false;
  }
}

export function initLegend() {
  on("dataset", drawLegend);
  on("lang:changed", () => { drawnFor = null; drawLegend(); });
}
