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

function createAll(n) {
  const lossAxis = () => ({ type: curveView.logLoss ? "log" : "linear", title: { text: t("plot.loss") },
    gridcolor: "#eee", exponentformat: "power" });
  Plotly.newPlot("curves", [
    line(t("plot.train_loss"), "#555"), line(t("plot.test_loss"), "#222", { line: { color: "#f59322", width: 2 } }),
    line(t("plot.train_acc"), "#0877bd", { yaxis: "y2", line: { color: "#0877bd", width: 1.5, dash: "dot" } }),
    line(t("plot.test_acc"), "#2ca02c", { yaxis: "y2", line: { color: "#2ca02c", width: 1.5, dash: "dot" } }),
  ], base({
    yaxis: lossAxis(),
    yaxis2: { overlaying: "y", side: "right", range: [0, 1.02], title: { text: t("plot.accuracy") }, showgrid: false,
      tickformat: ".0%", dtick: 0.25 },
  }), plotConfig("loss-accuracy"));
  Plotly.newPlot("gradnorms", Array.from({ length: n }, (_, l) =>
    line(t(l === n - 1 ? "plot.layer_out" : "plot.layer", { n: l + 1 }), PALETTE[(l + 2) % PALETTE.length])),
  base({ yaxis: { type: "log", title: { text: "‖dL/dW‖" }, gridcolor: "#eee", exponentformat: "power" } }), plotConfig("gradient-norms"));
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
export function clearCurves(n = nLayers) {
  nLayers = n;
  pending = emptyPending(Math.max(n, 0));
  lastStep = -1;
  spark.train = [];
  spark.test = [];
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
  Plotly.restyle("curves", { name: ["train_loss", "test_loss", "train_acc", "test_acc"].map((k) => t(`plot.${k}`)) },
    [0, 1, 2, 3]);
  Plotly.relayout("curves", { "xaxis.title.text": t("plot.step"), "yaxis.title.text": t("plot.loss"),
    "yaxis2.title.text": t("plot.accuracy") });
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
  return { lastStep, nLayers, frame: state.frame?.step };
}
