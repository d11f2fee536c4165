// Curves over training steps: loss + accuracy, the small loss sparkline, gradient norms per layer.
// Points are collected from every frame received (none lost when frames are dropped for
// drawing) and appended with Plotly.extendTraces at draw time, capped at MAX points.
import { PALETTE } from "./grid.js";
import { state } from "./state.js";

const MAX = 3000;
let pending = null;
let nLayers = -1;
let lastStep = -1;
let created = false;
export const curveView = { logLoss: true };

const base = (extra = {}) => ({
  margin: { l: 44, r: 40, t: 8, b: 30 },
  paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
  font: { family: "inherit", size: 11 },
  legend: { orientation: "h", y: 1.14, x: 0, font: { size: 10 } },
  xaxis: { title: { text: "step", standoff: 2 }, zeroline: false, gridcolor: "#eee" },
  uirevision: "keep",
  ...extra,
});
const line = (name, color, extra = {}) => ({
  type: "scatter", mode: "lines", name, x: [], y: [], line: { color, width: 2 }, ...extra,
});

function emptyPending(n) {
  return { x: [], loss: [[], [], [], []], grads: Array.from({ length: n }, () => []), gx: [] };
}

function createAll(n) {
  const fig = { displayModeBar: false, responsive: true };
  const lossAxis = () => ({ type: curveView.logLoss ? "log" : "linear", title: { text: "loss" },
    gridcolor: "#eee", exponentformat: "power" });
  Plotly.newPlot("curves", [
    line("train loss", "#555"), line("test loss", "#222", { line: { color: "#f59322", width: 2 } }),
    line("train acc", "#0877bd", { yaxis: "y2", line: { color: "#0877bd", width: 1.5, dash: "dot" } }),
    line("test acc", "#2ca02c", { yaxis: "y2", line: { color: "#2ca02c", width: 1.5, dash: "dot" } }),
  ], base({
    yaxis: lossAxis(),
    yaxis2: { overlaying: "y", side: "right", range: [0, 1.02], title: { text: "accuracy" }, showgrid: false },
  }), fig);
  Plotly.newPlot("loss-mini", [
    line("train", "#888", { line: { color: "#888", width: 1.5 } }),
    line("test", "#222", { line: { color: "#222", width: 1.5 } }),
  ], {
    margin: { l: 2, r: 2, t: 2, b: 2 }, showlegend: false,
    xaxis: { visible: false }, yaxis: { visible: false, type: curveView.logLoss ? "log" : "linear" },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", uirevision: "keep",
  }, { ...fig, staticPlot: true });
  Plotly.newPlot("gradnorms", Array.from({ length: n }, (_, l) =>
    line(l === n - 1 ? `layer ${l + 1} (out)` : `layer ${l + 1}`, PALETTE[(l + 2) % PALETTE.length])),
  base({ yaxis: { type: "log", title: { text: "‖dL/dW‖" }, gridcolor: "#eee", exponentformat: "power" } }), fig);
  created = true;
}

/** Forget all curves (new model, reset, reconnect). */
export function clearCurves(n = nLayers) {
  nLayers = n;
  pending = emptyPending(Math.max(n, 0));
  lastStep = -1;
  if (n >= 0) createAll(n);
}

/** Record one frame's numbers (called for every frame received). */
export function recordFrame(f) {
  const n = f.layers?.length ?? 0;
  if (n !== nLayers || f.step < lastStep || !created) clearCurves(n);
  if (f.step === lastStep) return;
  lastStep = f.step;
  const p = pending;
  p.x.push(f.step);
  const pos = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  p.loss[0].push(pos(f.train?.loss));
  p.loss[1].push(pos(f.test?.loss));
  p.loss[2].push(pos(f.train?.accuracy));
  p.loss[3].push(pos(f.test?.accuracy));
  f.layers.forEach((l, i) => p.grads[i].push(l.grad_norm > 0 ? l.grad_norm : null));
}

/** Append what was recorded since the last draw. */
export function drawCurves() {
  if (!created || !pending || !pending.x.length) return;
  const p = pending;
  pending = emptyPending(nLayers);
  const xs4 = [p.x, p.x, p.x, p.x];
  Plotly.extendTraces("curves", { x: xs4, y: p.loss }, [0, 1, 2, 3], MAX);
  Plotly.extendTraces("loss-mini", { x: [p.x, p.x], y: [p.loss[0], p.loss[1]] }, [0, 1], MAX);
  if (nLayers > 0) {
    const idx = [...Array(nLayers).keys()];
    Plotly.extendTraces("gradnorms", { x: idx.map(() => p.x), y: p.grads }, idx, MAX);
  }
}

export function setLogLoss(on) {
  curveView.logLoss = on;
  if (!created) return;
  Plotly.relayout("curves", { "yaxis.type": on ? "log" : "linear" });
  Plotly.relayout("loss-mini", { "yaxis.type": on ? "log" : "linear" });
}

export function curvesState() {
  return { lastStep, nLayers, frame: state.frame?.step };
}
