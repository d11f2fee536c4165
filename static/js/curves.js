// Curves over training steps: loss + accuracy, the small loss sparkline, gradient norms per layer.
// Points are collected from every frame received (none lost when frames are dropped for
// drawing) and appended with Plotly.extendTraces at draw time, capped at MAX points.
import { t } from "./i18n.js";
import { PALETTE, plotConfig } from "./grid.js";
import { on, state } from "./state.js";

const MAX = 3000;
let pending = null;
let nLayers = -1;
let lastStep = -1;
let created = false;
let pinTraces = { curves: [], grads: [] }; // pinned runs, drawn after the live traces
export const curveView = { logLoss: true };

const base = (extra = {}) => ({
  margin: { l: 48, r: 44, t: 26, b: 34 },
  paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
  font: { family: "inherit", size: 11 },
  legend: { orientation: "h", y: 1.0, yanchor: "bottom", x: 0, font: { size: 10 } },
  xaxis: { title: { text: t("plot.step"), standoff: 2 }, zeroline: false, gridcolor: "#eee" },
  uirevision: "keep",
  ...extra,
});
const line = (name, color, extra = {}) => ({
  type: "scatter", mode: "lines", name, x: [], y: [], line: { color, width: 2 }, ...extra,
});

function emptyPending(n) {
  return { x: [], loss: [[], [], [], []], grads: Array.from({ length: n }, () => []), gx: [] };
}

// The dotted curves on the right axis: accuracy for classes, R² for real targets (it can be
// negative: worse than predicting the mean; below -1 is clipped).
let score = "acc";
const SCORE_AXIS = {
  acc: { range: [0, 1.02], tickformat: ".0%", dtick: 0.25 },
  r2: { range: [-1, 1.02], tickformat: ".2f", dtick: 0.5 },
};
const scoreNames = () => ["train_loss", "test_loss", `train_${score}`, `test_${score}`].map((k) => t(`plot.${k}`));
const scoreTitle = () => t(score === "r2" ? "plot.r2" : "plot.accuracy");

function relabelScore() {
  Plotly.restyle("curves", { name: scoreNames() }, [0, 1, 2, 3]);
  const axis = SCORE_AXIS[score];
  Plotly.relayout("curves", { "yaxis2.title.text": scoreTitle(), "yaxis2.range": axis.range,
    "yaxis2.tickformat": axis.tickformat, "yaxis2.dtick": axis.dtick });
}

function createAll(n) {
  if (!window.Plotly) return; // still loading (async): recorded points wait in `pending`
  // nticks 3: over a decade or two Plotly then labels 1, 2, 5 (or decades), not every digit
  const lossAxis = () => ({ type: curveView.logLoss ? "log" : "linear", title: { text: t("plot.loss") },
    gridcolor: "#eee", exponentformat: "power", nticks: 3 });
  const names = scoreNames();
  Plotly.newPlot("curves", [
    line(names[0], "#555"), line(names[1], "#222", { line: { color: "#f59322", width: 2 } }),
    line(names[2], "#0877bd", { yaxis: "y2", line: { color: "#0877bd", width: 1.5, dash: "dot" } }),
    line(names[3], "#2ca02c", { yaxis: "y2", line: { color: "#2ca02c", width: 1.5, dash: "dot" } }),
  ], base({
    yaxis: lossAxis(),
    yaxis2: { overlaying: "y", side: "right", title: { text: scoreTitle() }, showgrid: false, ...SCORE_AXIS[score] },
  }), plotConfig("loss-accuracy"));
  Plotly.newPlot("gradnorms", Array.from({ length: n }, (_, l) =>
    line(t(l === n - 1 ? "plot.layer_out" : "plot.layer", { n: l + 1 }), PALETTE[(l + 2) % PALETTE.length])),
  base({ yaxis: { type: "log", title: { text: "‖dL/dW‖" }, gridcolor: "#eee", exponentformat: "power", nticks: 3 } }),
  plotConfig("gradient-norms"));
  created = true;
  drawPins();
}

/** Pinned runs' traces ({curves: [...], grads: [...]}): they stay through resets. */
export function setPinTraces(traces) {
  pinTraces = traces;
  if (created) drawPins();
}

function drawPins() {
  for (const [id, live, add] of [["curves", 4, pinTraces.curves], ["gradnorms", nLayers, pinTraces.grads]]) {
    const have = document.getElementById(id).data?.length ?? 0;
    if (have > live) Plotly.deleteTraces(id, Array.from({ length: have - live }, (_, i) => live + i));
    if (add.length) Plotly.addTraces(id, structuredClone(add));
  }
}

/** Forget all curves (new model, reset, reconnect). */
// Where the run stopped by itself (status code "stopped": stop_at, early stopping): a dashed
// line at the step, named by its reason. A new run's curves start without them.
let stops = [];

function markStops() {
  if (!created) return;
  Plotly.relayout("curves", {
    shapes: stops.map((s) => ({ type: "line", xref: "x", yref: "paper", x0: s.step, x1: s.step,
      y0: 0, y1: 1, line: { color: "#c0392b", width: 1.5, dash: "dash" } })),
    annotations: stops.map((s) => ({ xref: "x", yref: "paper", x: s.step, y: 1, yanchor: "bottom",
      text: t(`plot.stop.${s.reason}`), showarrow: false, font: { size: 10, color: "#c0392b" } })),
  });
}

on("status", (s) => {
  if (s.code !== "stopped" || !s.params) return;
  stops.push({ step: s.params.step, reason: s.params.reason });
  markStops();
});

export function clearCurves(n = nLayers) {
  stops = [];
  nLayers = n;
  pending = emptyPending(Math.max(n, 0));
  lastStep = -1;
  spark.train = [];
  spark.test = [];
  if (n >= 0) createAll(n);
}

/** Draw a whole history (an opened run's, as its file kept it: History.to_columns) in place
 * of the curves; the frames that follow carry on from its last step. */
export function loadHistory(h) {
  const n = Object.keys(h).filter((k) => k.startsWith("grad_norm_")).length;
  clearCurves(n);
  score = "train_r2" in h ? "r2" : "acc";
  relabelScore();
  const key = score === "r2" ? "r2" : "accuracy";
  const pos = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  const p = pending;
  const from = Math.max(0, h.step.length - MAX);
  for (let i = from; i < h.step.length; i++) {
    p.x.push(h.step[i]);
    p.loss[0].push(pos(h.train_loss[i]));
    p.loss[1].push(pos(h.test_loss[i]));
    p.loss[2].push(pos(h[`train_${key}`][i]));
    p.loss[3].push(pos(h[`test_${key}`][i]));
    pushSpark(pos(h.train_loss[i]), pos(h.test_loss[i]));
    for (let l = 0; l < n; l++) p.grads[l].push(pos(h[`grad_norm_${l + 1}`][i]));
  }
  lastStep = h.step.length ? h.step[h.step.length - 1] : -1;
}

/** Record one frame's numbers (called for every frame received). */
export function recordFrame(f) {
  const n = f.layers?.length ?? 0;
  if (n !== nLayers || f.step < lastStep) clearCurves(n);
  else if (!created) createAll(n); // Plotly has come: the points recorded so far follow
  if (f.step === lastStep) return;
  lastStep = f.step;
  const kind = f.train?.r2 !== null && f.train?.r2 !== undefined ? "r2" : "acc";
  if (kind !== score) {
    score = kind;
    if (created) relabelScore();
  }
  const p = pending;
  p.x.push(f.step);
  const pos = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  p.loss[0].push(pos(f.train?.loss));
  p.loss[1].push(pos(f.test?.loss));
  p.loss[2].push(pos(score === "r2" ? f.train?.r2 : f.train?.accuracy));
  p.loss[3].push(pos(score === "r2" ? f.test?.r2 : f.test?.accuracy));
  pushSpark(pos(f.train?.loss), pos(f.test?.loss));
  if (p.x.length > MAX + 500) { // panels off screen for long: keep the newest MAX only
    const cut = p.x.length - MAX;
    p.x.splice(0, cut);
    for (const a of [...p.loss, ...p.grads]) a.splice(0, cut);
  }
  f.layers.forEach((l, i) => p.grads[i].push(l.grad_norm > 0 ? l.grad_norm : null));
}

// The loss sparkline under the scores (TF Playground's small line chart): a plain canvas,
// cheap enough to redraw on every frame.
const spark = { train: [], test: [] };
const SPARK_MAX = 600;

export function drawSparkline() {
  const c = document.getElementById("loss-mini");
  if (!c) return;
  const w = c.clientWidth, h = c.clientHeight;
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  const g = c.getContext("2d");
  g.clearRect(0, 0, w, h);
  const all = [...spark.train, ...spark.test].filter((v) => v > 0 && Number.isFinite(v));
  if (all.length < 2) return;
  const tf = curveView.logLoss ? Math.log10 : (v) => v;
  let lo = Math.min(...all.map(tf)), hi = Math.max(...all.map(tf));
  if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
  for (const [arr, color] of [[spark.train, "#999"], [spark.test, "#222"]]) {
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath();
    arr.forEach((v, i) => {
      if (!(v > 0) || !Number.isFinite(v)) return;
      const x = (i / Math.max(arr.length - 1, 1)) * (w - 2) + 1;
      const y = h - 2 - ((tf(v) - lo) / (hi - lo)) * (h - 4);
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  }
}

function pushSpark(train, test) {
  spark.train.push(train);
  spark.test.push(test);
  if (spark.train.length > SPARK_MAX) {
    // Halve the resolution instead of dropping the start: the whole run stays visible.
    spark.train = spark.train.filter((_, i) => i % 2 === 0);
    spark.test = spark.test.filter((_, i) => i % 2 === 0);
  }
}

/** Append what was recorded since the last draw (only when the panels are on screen). */
export function drawCurves() {
  if (!created || !pending || !pending.x.length) return;
  const p = pending;
  pending = emptyPending(nLayers);
  const xs4 = [p.x, p.x, p.x, p.x];
  Plotly.extendTraces("curves", { x: xs4, y: p.loss }, [0, 1, 2, 3], MAX);
  if (nLayers > 0) {
    const idx = [...Array(nLayers).keys()];
    Plotly.extendTraces("gradnorms", { x: idx.map(() => p.x), y: p.grads }, idx, MAX);
  }
}

// Another language: the same traces, their names and axis titles in the new words.
on("lang:changed", () => {
  if (!created) return;
  relabelScore();
  Plotly.relayout("curves", { "xaxis.title.text": t("plot.step"), "yaxis.title.text": t("plot.loss") });
  if (nLayers > 0) {
    Plotly.restyle("gradnorms", { name: [...Array(nLayers).keys()].map((l) =>
      t(l === nLayers - 1 ? "plot.layer_out" : "plot.layer", { n: l + 1 })) }, [...Array(nLayers).keys()]);
    Plotly.relayout("gradnorms", { "xaxis.title.text": t("plot.step") });
  }
});

export function setLogLoss(on) {
  curveView.logLoss = on;
  if (!created) return;
  Plotly.relayout("curves", { "yaxis.type": on ? "log" : "linear" });
  drawSparkline();
}

export function curvesState() {
  return { lastStep, nLayers, frame: state.frame?.step, stops: stops.map((s) => s.step) };
}
