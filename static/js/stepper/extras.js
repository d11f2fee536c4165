// Aggregates beside the formulas: loss before/after the step, bars of the current layer,
// and for large layers (MNIST) the first-layer dW images, per-layer norms and the digit.
import { t as tr } from "../i18n.js";
import { divergingURL, classColor } from "../grid.js";
import { esc, num, sig } from "./fmt.js";
import { layerName } from "./model.js";

export function lossChange(t) {
  const a = t.loss_before, b = t.loss_after;
  const m = Math.max(a, b) || 1;
  const d = b - a;
  const pct = a ? (100 * d) / a : 0;
  const cls = d <= 0 ? "down" : "up";
  return `<div class="sv-loss ${cls}" data-testid="stepper-loss-change">
    <div class="sv-loss-row"><span>${tr("sv.before")}</span><div class="bar"><i style="width:${(100 * a) / m}%"></i></div>${num(a, { q: "loss_before" })}</div>
    <div class="sv-loss-row"><span>${tr("sv.after")}</span><div class="bar after"><i style="width:${(100 * b) / m}%"></i></div>${num(b, { q: "loss_after" })}</div>
    <div class="sv-loss-delta">${d <= 0 ? "▼" : "▲"} ${sig(Math.abs(d))} (${pct <= 0 ? "−" : "+"}${Math.abs(pct).toFixed(1)}%) ${tr("sv.on_batch")}</div>
  </div>`;
}

/** Bars of the current column's values for example n (layers up to 64 wide). */
export function layerBars(t, stage, n) {
  const c = stage.column ?? t.layers.length;
  if (c < 1) return "";
  const ly = t.layers[c - 1];
  const backward = stage.kind === "backward" || stage.kind === "update";
  const arr = (backward ? ly.dL_dz : ly.a)?.[n];
  if (!arr || arr.length > 64) return "";
  const m = Math.max(1e-12, ...arr.map(Math.abs));
  const out = c === t.layers.length;
  const K = arr.length;
  const bars = arr.map((x, k) => {
    const h = (50 * Math.abs(x)) / m;
    const style = out && !backward ? `background:${classColor(k, K)}` : "";
    const lab = out ? esc(t.class_names?.[k] ?? k) : "";
    return `<div class="sv-bar ${x < 0 ? "neg" : "pos"}" title="${k + 1}: ${sig(x)}">
      <i style="height:${h}%;${x < 0 ? "top:50%" : `bottom:50%`};${style}"></i>${lab ? `<b>${lab}</b>` : ""}</div>`;
  }).join("");
  const what = backward ? "dL/dz" : tr(out ? "sv.bars_out" : "sv.bars_act");
  return `<div class="sv-bars-box"><h4>${layerName(t, c)}: ${what}, ${tr("eq.example", { i: n + 1 })}</h4>
    <div class="sv-bars ${K > 24 ? "dense" : ""}">${bars}</div></div>`;
}

/** Per-layer norms from the summaries (shown for every trace; essential for big layers). */
export function normsTable(t) {
  const norm = (ly, key) => ly.summary?.[key]?.norm ?? ly.summary?.[`${key}_norm`] ?? null;
  const rows = t.layers.map((ly, i) => {
    const w = norm(ly, "W"), g = norm(ly, "dW"), d = norm(ly, "delta_W");
    return `<tr><td>${i + 1}</td><td>${ly.shape.join("×")}</td><td>${sig(w)}</td><td>${sig(g)}</td><td>${sig(d)}</td>
      <td>${w && d !== null ? sig(d / w) : "–"}</td></tr>`;
  }).join("");
  return `<table class="sv-norms" data-testid="stepper-norms"><thead><tr><th>${tr("sv.th_layer")}</th><th>${tr("sv.th_shape")}</th><th>‖W‖</th><th>‖dW‖</th><th>‖ΔW‖</th><th>‖ΔW‖/‖W‖</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** First-layer dW as 28x28 images (one per hidden neuron) when the trace has them. */
export function dwImages(t) {
  const imgs = t.layers[0].dW_images;
  if (!imgs?.length) return "";
  const tiles = imgs.map((g, j) => `<figure><img data-testid="stepper-dw-image" src="${divergingURL(g, false)}" alt="${tr("sv.dw_alt", { j: j + 1 })}"><figcaption>${j + 1}</figcaption></figure>`).join("");
  return `<div class="sv-dw"><h4>${tr("sv.dw_head")}</h4><div class="sv-dw-grid">${tiles}</div></div>`;
}

/** The traced example's input as a 28x28 image, when the trace has it (one example). */
export function digit(t, n) {
  const x = t.inputs?.[n];
  if (!x || x.length !== 784) return null;
  const c = document.createElement("canvas");
  c.width = c.height = 28;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(28, 28);
  for (let k = 0; k < 784; k++) {
    const g = 255 - Math.round(255 * Math.max(0, Math.min(1, x[k])));
    img.data.set([g, g, g, 255], 4 * k);
  }
  ctx.putImageData(img, 0, 0);
  c.className = "sv-digit";
  c.dataset.testid = "stepper-digit";
  return c;
}
