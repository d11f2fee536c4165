// The 2-D output plot: decision boundary (or a hovered neuron's map) under the data points.
import { emit, send, state } from "./state.js";
import { PALETTE_RGB, classColor, decodeGrid, diverging, gridToDataURL, plotConfig, value } from "./grid.js";
import { t } from "./i18n.js";

const div = () => document.getElementById("boundary");
let created = false;
export const view = { showTest: false, discretize: false, neuron: null };

function layout(bounds) {
  const ax = (r) => ({
    range: r, autorange: false, zeroline: false, showgrid: false, ticks: "outside",
    ticklen: 3, fixedrange: true, tickfont: { size: 10, color: "#777" },
  });
  return {
    margin: { l: 30, r: 6, t: 6, b: 22 },
    xaxis: ax(bounds.x),
    yaxis: { ...ax(bounds.y), scaleanchor: "x", scaleratio: 1 },
    showlegend: false,
    dragmode: false,
    hovermode: "closest",
    uirevision: "boundary",
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "inherit" },
  };
}

/** Regression: the colour scale's half-width (targets and predictions share it). */
function valueScale() {
  const r = state.dataset?.target_range ?? [-1, 1];
  return Math.max(Math.abs(r[0]), Math.abs(r[1])) || 1;
}

function pointColors(part, nClasses) {
  if (!part.value) return part.label.map((k) => classColor(k, nClasses));
  const m = valueScale();
  return part.value.map((v) => { const c = diverging(v / m); return `rgb(${c.map(Math.round)})`; });
}

function pointsTrace(part, name, nClasses, test) {
  if (!part) return { type: "scatter", x: [], y: [], mode: "markers" };
  const value = part.value ? `, ${t("out.point_value")} %{customdata:.3f}` : "";
  return {
    type: "scatter", mode: "markers", name, x: part.x, y: part.y, customdata: part.value,
    marker: {
      color: pointColors(part, nClasses),
      size: test ? 6 : 6,
      line: { color: test ? "#222" : part.value ? "#999" : "#fff", width: test ? 1.2 : part.value ? 0.6 : 1 },
      symbol: test ? "circle" : "circle",
    },
    hovertemplate: `${t(test ? "out.point_test" : "out.point_train")} (%{x:.2f}, %{y:.2f})${value}<extra></extra>`,
  };
}

// The background (boundary or a neuron's map) is painted on a canvas under the transparent
// Plotly plot area: a per-frame Plotly.react of a 100x100 heatmap costs ~60 ms on a laptop
// without GPU; the canvas costs ~1 ms. Plotly keeps axes, points, hover and clicks.
let canvas = null;
let drawnPoints = { ds: null, showTest: null };

function ensureCanvas() {
  const gd = div();
  // Before Plotly has loaded (async), the plane alone, where the plot area will be.
  const early = () => ({ l: 30, t: 6, w: gd.clientWidth - 36, h: gd.clientHeight - 28 });
  const sz = gd._fullLayout?._size ?? (window.Plotly ? null : early());
  if (!sz) return null;
  if (!canvas || !canvas.isConnected) {
    canvas = document.createElement("canvas");
    canvas.className = "boundary-bg";
    canvas.dataset.testid = "boundary-canvas";
    gd.style.position = "relative";
  }
  if (gd.firstChild !== canvas) gd.prepend(canvas); // under the plot (Plotly came after it)
  Object.assign(canvas.style, {
    position: "absolute", left: `${sz.l}px`, top: `${sz.t}px`, width: `${sz.w}px`, height: `${sz.h}px`,
  });
  return canvas;
}

function paint(g, colorOf) {
  const c = ensureCanvas();
  if (!c) return;
  if (c.width !== g.cols || c.height !== g.rows) { c.width = g.cols; c.height = g.rows; }
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(g.cols, g.rows);
  for (let i = 0; i < g.rows; i++) {
    const row = g.rows - 1 - i; // grid row 0 is the lowest y
    for (let j = 0; j < g.cols; j++) {
      const col = colorOf(i * g.cols + j);
      const o = (row * g.cols + j) * 4;
      img.data[o] = col[0]; img.data[o + 1] = col[1]; img.data[o + 2] = col[2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

const lerp = (c, t) => [255 + (c[0] - 255) * t, 255 + (c[1] - 255) * t, 255 + (c[2] - 255) * t];

let painted = {}; // what the canvas shows: the same again is not painted again

function paintBackground(boundary, nClasses) {
  if (!boundary) { canvas?.getContext("2d").clearRect(0, 0, canvas.width, canvas.height); painted = {}; return; }
  const hovered = view.neuron && state.heavy.neurons?.[view.neuron[0]]?.[view.neuron[1]];
  const c = ensureCanvas();
  const now = { boundary, hovered, nClasses, discretize: view.discretize, c, scale: boundary.cells ? 0 : valueScale() };
  if (c && Object.keys(now).every((k) => now[k] === painted[k])) return;
  painted = now;
  if (hovered) {
    const d = decodeGrid(hovered);
    const m = Math.max(Math.abs(d.min), Math.abs(d.max)) || 1;
    const lut = Array.from({ length: 256 }, (_, b) => diverging(value(d, b) / m));
    paint(d, (k) => lut[d.bytes[k]]);
    return;
  }
  if (!boundary.cells) {
    // Regression: the predicted value on the targets' diverging scale (white = 0).
    const v = decodeGrid(boundary.value), m = valueScale();
    const steps = view.discretize ? 8 : 0; // bands, like contour lines
    const lut = Array.from({ length: 256 }, (_, b) => {
      let x = value(v, b) / m;
      if (steps) x = Math.round(x * steps) / steps;
      return diverging(x);
    });
    paint(v, (k) => lut[v.bytes[k]]);
    return;
  }
  const g = decodeGrid(boundary.cells), read = unpack(boundary);
  if (nClasses <= 2) {
    // Diverging scale of P(class 1): orange (0) - white (0.5) - blue (1), like TF Playground.
    const lut = Array.from({ length: 256 }, (_, b) => {
      const [c, conf] = read(b);
      const p = view.discretize ? (c === 1 ? 0.85 : 0.15) : c === 1 ? conf : 1 - conf;
      return lerp(p >= 0.5 ? PALETTE_RGB[1] : PALETTE_RGB[0], 0.85 * Math.abs(2 * p - 1));
    });
    paint(g, (k) => lut[g.bytes[k]]);
    return;
  }
  // Multiclass: class colour, lightness by confidence (1/C -> white, 1 -> full colour).
  const floor = 1 / nClasses;
  const lut = Array.from({ length: 256 }, (_, b) => {
    const [c, conf] = read(b);
    const p = view.discretize ? 0.55 : (conf - floor) / (1 - floor);
    return lerp(PALETTE_RGB[c % PALETTE_RGB.length], 0.1 + 0.62 * Math.max(0, Math.min(1, p)));
  });
  paint(g, (k) => lut[g.bytes[k]]);
}

/** byte -> [class, winning probability] of a packed boundary (docs/protocol.md). */
function unpack(boundary) {
  const L = boundary.levels, floor = 1 / boundary.n_classes;
  return (b) => [Math.floor(b / L), floor + ((b % L) / (L - 1)) * (1 - floor)];
}

/** Say when the plane is coarser than usual (a big network while it trains). */
function noteResolution(b) {
  const note = document.getElementById("plane-note");
  if (!note) return;
  const coarse = b && b.resolution < b.full_resolution;
  note.hidden = !coarse;
  if (coarse) {
    note.textContent = t("out.plane_coarse", { res: b.resolution, full: b.full_resolution });
  }
}

/** Redraw from state (the newest boundary + current dataset). */
export function drawBoundary() {
  const ds = state.dataset;
  if (!ds || ds.kind !== "2d") return;
  const b = state.heavy.boundary;
  const bounds = ds.bounds ?? (b ? { x: b.xs_range, y: b.ys_range } : null);
  if (!bounds) return;
  const n = ds.n_classes ?? 2;
  if (!window.Plotly) { paintBackground(b, n); return; } // the first picture does not wait
  if (!created || drawnPoints.ds !== ds || drawnPoints.showTest !== view.showTest) {
    const data = [
      pointsTrace(ds.train, "train", n, false),
      view.showTest ? pointsTrace(ds.test, "test", n, true) : { type: "scatter", x: [], y: [] },
    ];
    if (!created) {
      Plotly.newPlot(div(), data, layout(bounds), plotConfig("output"));
      created = true;
      installClicks();
      div().on("plotly_afterplot", () => ensureCanvas());
    } else {
      Plotly.react(div(), data, layout(bounds));
    }
    drawnPoints = { ds, showTest: view.showTest };
  }
  paintBackground(b, n);
  noteResolution(b);
}

let thumb = { of: null, url: null };
/** Image (data URL) of the output for the network diagram's output node. */
export function boundaryThumb() {
  const b = state.heavy.boundary, n = state.dataset?.n_classes ?? 2;
  if (!b) return null;
  if (thumb.of === b) return thumb.url;
  if (!b.cells) {
    const v = decodeGrid(b.value), m = valueScale();
    thumb = { of: b, url: gridToDataURL(v, (k) => diverging(value(v, v.bytes[k]) / m), true) };
    return thumb.url;
  }
  const g = decodeGrid(b.cells), read = unpack(b);
  const lut = Array.from({ length: 256 }, (_, byte) => {
    const [c, conf] = read(byte);
    const rgb = n <= 2 ? PALETTE_RGB[c === 1 ? 1 : 0] : PALETTE_RGB[c % PALETTE_RGB.length];
    return lerp(rgb, 0.15 + 0.6 * conf);
  });
  const url = gridToDataURL(g, (k) => lut[g.bytes[k]], true);
  thumb = { of: b, url };
  return url;
}

/** The drawn data point within 6 px of (px, py) in plot pixels, as {example, split}. */
function pointAt(fl, px, py) {
  const ds = state.dataset;
  let best = null, bestD = 36;
  for (const split of view.showTest ? ["train", "test"] : ["train"]) {
    const part = ds?.[split];
    if (!part) continue;
    for (let i = 0; i < part.x.length; i++) {
      const dx = fl.xaxis.d2p(part.x[i]) - px, dy = fl.yaxis.d2p(part.y[i]) - py;
      const d = dx * dx + dy * dy;
      if (d <= bestD) { bestD = d; best = { example: i, split }; }
    }
  }
  return best;
}

function installClicks() {
  const gd = div();
  gd.addEventListener("click", (ev) => {
    const fl = gd._fullLayout;
    const drag = gd.querySelector(".nsewdrag");
    if (!fl || !drag) return;
    const r = drag.getBoundingClientRect();
    if (ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom) return;
    const px = ev.clientX - r.left, py = ev.clientY - r.top;
    const x = fl.xaxis.p2d(px);
    const y = fl.yaxis.p2d(py);
    const hit = !ev.altKey && !ev.shiftKey && pointAt(fl, px, py);
    if (hit) emit("trace:example", hit); // a click on a point: step through backprop on it
    else if (state.dataset?.task === "regression") return; // no class to give a new point
    else if (ev.altKey) send({ type: "remove_point", x, y });
    else send({ type: "add_point", x, y, label: ev.shiftKey ? 1 : 0 });
  });
}

export function resetBoundary() {
  if (created) Plotly.purge(div());
  created = false;
}
