// The 1-D output plot: data points (x, y), the network's curve y_hat(x) and, faint, each
// last-hidden unit's contribution w_j·a_j(x) — with relu the curve is a sum of hinges.
// Also the small curve images drawn inside the network diagram's neurons.
import { emit, state } from "./state.js";
import { BLUE, ORANGE, PALETTE } from "./grid.js";
import { t } from "./i18n.js";

const div = () => document.getElementById("curve-plot");
export const curveView = { showTest: false, showUnits: true, unit: null };
let created = false;
let drawnFor = null;

function layout(bounds, ds) {
  const ax = (r, title) => ({
    range: r, autorange: false, zeroline: true, zerolinecolor: "#ddd", showgrid: false,
    ticks: "outside", ticklen: 3, fixedrange: true, tickfont: { size: 10, color: "#777" },
    title: { text: title, font: { size: 11, color: "#777" }, standoff: 2 },
  });
  return {
    margin: { l: 36, r: 6, t: 6, b: 30 },
    xaxis: ax(bounds.x, ds.input_names?.[0] ?? "x"),
    yaxis: ax(bounds.y, ds.target_name ?? "y"),
    showlegend: false,
    dragmode: false,
    hovermode: "closest",
    uirevision: "curve",
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "inherit" },
  };
}

function points(part, test) {
  return {
    type: "scatter", mode: "markers", name: test ? "test" : "train",
    x: part?.x ?? [], y: part?.y ?? [],
    marker: {
      size: 5, color: test ? "rgba(0,0,0,0)" : "rgba(120,120,120,0.55)",
      line: { color: test ? "#222" : "rgba(0,0,0,0)", width: test ? 1 : 0 },
    },
    hovertemplate: `${t(test ? "out.point_test" : "out.point_train")} (%{x:.2f}, %{y:.2f})<extra></extra>`,
  };
}

const rgba = (c, a) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;

/** Plotly traces: [train, test, network curve, units...]. */
function traces(ds, c) {
  const out = [points(ds.train, false), curveView.showTest ? points(ds.test, true) : points(null, true)];
  const units = curveView.showUnits ? c?.units ?? [] : [];
  units.forEach((u, i) => {
    const j = c.unit_index[i];
    const hot = curveView.unit === j;
    const sum = u.reduce((s, v) => s + v, 0);
    const sign = sum > 0 ? BLUE : sum < 0 ? ORANGE : [150, 150, 150]; // grey: a silent unit
    out.push({
      type: "scatter", mode: "lines", x: c.x, y: u, name: `unit ${j + 1}`,
      line: { color: rgba(sign, hot ? 0.95 : 0.3), width: hot ? 2.5 : 1.2 },
      hovertemplate: `${t("out.curve_unit", { j: j + 1, y: "%{y:.3f}" })}<extra></extra>`,
    });
  });
  if (c) {
    out.push({
      type: "scatter", mode: "lines", x: c.x, y: c.y, name: "network",
      line: { color: "#222", width: 3 },
      hovertemplate: `${t("out.curve_network", { x: "%{x:.2f}", y: "%{y:.3f}" })}<extra></extra>`,
    });
  }
  return out;
}

/** A click on a data point: step through backprop on that example (as on the 2-D plane). */
function onPointClick(ev) {
  const p = ev.points?.[0];
  if (p && (p.data.name === "train" || p.data.name === "test")) {
    emit("trace:example", { example: p.pointIndex, split: p.data.name });
  }
}

/** Redraw the plot from state (dataset + the newest curve). */
export function drawCurvePlot() {
  const ds = state.dataset;
  if (!ds || ds.kind !== "1d" || !ds.bounds) return;
  const c = state.heavy.curve;
  const data = traces(ds, c);
  if (!created || drawnFor !== ds) {
    if (created) Plotly.react(div(), data, layout(ds.bounds, ds));
    else {
      Plotly.newPlot(div(), data, layout(ds.bounds, ds), { displayModeBar: false, responsive: true });
      div().on("plotly_click", onPointClick);
    }
    created = true;
    drawnFor = ds;
    return;
  }
  Plotly.react(div(), data, layout(ds.bounds, ds));
}

const scratch = document.createElement("canvas");

/** A small picture of one curve (values over x) as a data URL, for a neuron's box. lo, hi:
 * the value range shown (null: the curve's own). The zero line is drawn faint. */
export function curveURL(values, lo = null, hi = null, color = "#333", size = 48) {
  scratch.width = scratch.height = size;
  const ctx = scratch.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, size, size);
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  if (!finite.length) return scratch.toDataURL();
  lo ??= Math.min(0, ...finite);
  hi ??= Math.max(0, ...finite);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = 3, h = size - 2 * pad;
  const y = (v) => pad + h - ((v - lo) / (hi - lo)) * h;
  ctx.strokeStyle = "#ddd";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, y(0));
  ctx.lineTo(size, y(0));
  ctx.stroke();
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = pad + (i / Math.max(values.length - 1, 1)) * (size - 2 * pad);
    if (i === 0) ctx.moveTo(x, y(v ?? 0));
    else ctx.lineTo(x, y(v ?? 0));
  });
  ctx.stroke();
  return scratch.toDataURL();
}

const RANGES = { tanh: [-1, 1], sigmoid: [0, 1] };
const urls = new WeakMap();

/** Neuron images for the diagram from frame.neurons of 1-D data (lists of values). */
export function neuronCurveImages(neurons, activation) {
  if (!neurons) return [];
  const [lo, hi] = RANGES[activation] ?? [null, null];
  return [null, ...neurons.map((layer) => layer.map((vals) => {
    let u = urls.get(vals);
    if (!u) { u = curveURL(vals, lo, hi, PALETTE[1]); urls.set(vals, u); }
    return u;
  }))];
}

let thumb = { of: null, url: null };
/** The network's curve as a small image for the output node. */
export function curveThumb() {
  const c = state.heavy.curve, b = state.dataset?.bounds;
  if (!c || !b) return null;
  if (thumb.of !== c) thumb = { of: c, url: curveURL(c.y, b.y[0], b.y[1], "#222") };
  return thumb.url;
}

export function resetCurvePlot() {
  if (created) Plotly.purge(div());
  created = false;
  drawnFor = null;
}
