// MNIST panels: first-layer weight images, confusion matrix, sample predictions.
import { t } from "./i18n.js";
import { divergingURL, paintInk, plotConfig } from "./grid.js";
import { on, state } from "./state.js";

let confCreated = false;
let drawnWeights = null;
let drawnConfusion = null;
let drawnSamples = null;
const sampleEls = new Map(); // index -> {tile, pred}
on("lang:changed", () => { drawnConfusion = null; });

/** Build the sample tiles from dataset.samples (once per dataset). */
export function buildSamples(ds) {
  const box = document.getElementById("mnist-samples");
  box.replaceChildren();
  sampleEls.clear();
  drawnSamples = null;
  for (const s of ds?.samples ?? []) {
    const tile = document.createElement("figure");
    tile.className = "sample";
    tile.dataset.testid = "mnist-sample";
    const c = document.createElement("canvas");
    paintInk(c, s.image);
    const cap = document.createElement("figcaption");
    const pred = document.createElement("b");
    pred.textContent = "?";
    cap.append(pred, ` (${s.label})`);
    cap.title = t("mnist.label", { label: s.label });
    tile.append(c, cap);
    box.append(tile);
    sampleEls.set(s.index, { tile, pred });
  }
}

function drawWeights(weights) {
  const box = document.getElementById("mnist-weights");
  if (box.children.length !== weights.length) {
    box.replaceChildren(...weights.map((_, i) => {
      const img = document.createElement("img");
      img.alt = t("mnist.weights_alt", { n: i + 1 });
      img.title = t("mnist.weights_title", { n: i + 1 });
      img.dataset.testid = "mnist-weight";
      return img;
    }));
  }
  weights.forEach((g, i) => { box.children[i].src = divergingURL(g, false); });
}

function drawConfusion(m) {
  const n = m.length;
  const labels = Array.from({ length: n }, (_, i) => String(i));
  const data = [{
    type: "heatmap", z: m, x: labels, y: labels, colorscale: [[0, "#fff"], [1, "#0877bd"]],
    showscale: false, texttemplate: "%{z}", textfont: { size: 9 },
    hovertemplate: `${t("mnist.hover")}<extra></extra>`,
  }];
  const lay = {
    margin: { l: 36, r: 6, t: 6, b: 34 }, paper_bgcolor: "rgba(0,0,0,0)",
    font: { family: "inherit", size: 11 },
    xaxis: { title: { text: t("mnist.predicted"), standoff: 2 }, type: "category", side: "bottom" },
    yaxis: { title: { text: t("mnist.true"), standoff: 2 }, type: "category", autorange: "reversed" },
    uirevision: "conf",
  };
  if (!confCreated) {
    Plotly.newPlot("confusion", data, lay, plotConfig("confusion"));
    confCreated = true;
  } else Plotly.react("confusion", data, lay);
}

function drawSamplePreds(samples) {
  for (const s of samples) {
    const e = sampleEls.get(s.index);
    if (!e) continue;
    e.pred.textContent = String(s.pred);
    e.tile.classList.toggle("right", s.pred === s.label);
    e.tile.classList.toggle("wrong", s.pred !== s.label);
    const p = s.probs?.[s.pred];
    e.tile.title = t("mnist.sample_title", { label: s.label, pred: s.pred }) + (p !== undefined ? ` (${(p * 100).toFixed(0)}%)` : "");
  }
}

/** Draw whatever MNIST part changed since the last call. */
export function drawMnist() {
  const m = state.heavy.mnist;
  if (m.weights && m.weights !== drawnWeights) { drawWeights(m.weights); drawnWeights = m.weights; }
  if (m.confusion && m.confusion !== drawnConfusion) { drawConfusion(m.confusion); drawnConfusion = m.confusion; }
  if (m.samples && m.samples !== drawnSamples) { drawSamplePreds(m.samples); drawnSamples = m.samples; }
}

export function forgetMnist() {
  drawnWeights = drawnConfusion = drawnSamples = null;
  state.heavy.mnist = { weights: null, confusion: null, samples: null };
  document.getElementById("mnist-weights").replaceChildren();
}
