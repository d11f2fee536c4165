// The 2-D output plot: decision boundary (or a hovered neuron's map) under the data points.
import { send, state } from "./state.js";
import {
  DIVERGING, PALETTE_RGB, WHITE, classColor, decodeGrid, divergingURL, gridToDataURL, value,
} from "./grid.js";

const div = () => document.getElementById("boundary");
let created = false;
let axes = null; // {xs, ys} cache for the heatmap
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
    plot_bgcolor: "#fafafa",
    font: { family: "inherit" },
  };
}

function pointsTrace(part, name, nClasses, test) {
  if (!part) return { type: "scatter", x: [], y: [], mode: "markers" };
  return {
    type: "scatter", mode: "markers", name, x: part.x, y: part.y,
    marker: {
      color: part.label.map((k) => classColor(k, nClasses)),
      size: test ? 6 : 6,
      line: { color: test ? "#222" : "#fff", width: test ? 1.2 : 1 },
      symbol: test ? "circle" : "circle",
    },
    hovertemplate: `${name} (%{x:.2f}, %{y:.2f})<extra></extra>`,
  };
}

function linspace(a, b, n) {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

function background(boundary, nClasses) {
  if (!boundary) return { type: "scatter", x: [], y: [] };
  const [x0, x1] = boundary.xs_range, [y0, y1] = boundary.ys_range;
  if (view.neuron && state.heavy.neurons?.[view.neuron[0]]?.[view.neuron[1]]) {
    const g = state.heavy.neurons[view.neuron[0]][view.neuron[1]];
    const [rows, cols] = g.shape;
    return {
      type: "image", source: divergingURL(g, false), x0, y0,
      dx: (x1 - x0) / (cols - 1), dy: (y1 - y0) / (rows - 1), hoverinfo: "skip",
    };
  }
  const cls = decodeGrid(boundary.classes), conf = decodeGrid(boundary.confidence);
  const { rows, cols } = cls;
  if (nClasses <= 2) {
    if (!axes || axes.key !== `${rows}x${cols}:${x0},${x1},${y0},${y1}`) {
      axes = { key: `${rows}x${cols}:${x0},${x1},${y0},${y1}`, xs: linspace(x0, x1, cols), ys: linspace(y0, y1, rows) };
    }
    const z = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const r = new Array(cols);
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        const c = Math.round(value(cls, cls.bytes[k]));
        const p = value(conf, conf.bytes[k]);
        r[j] = view.discretize ? (c === 1 ? 0.8 : 0.2) : c === 1 ? p : 1 - p;
      }
      z[i] = r;
    }
    return {
      type: "heatmap", x: axes.xs, y: axes.ys, z, zmin: 0, zmax: 1, colorscale: DIVERGING,
      showscale: false, zsmooth: "best", opacity: 0.85,
      hovertemplate: "P(class 1) = %{z:.2f}<extra></extra>",
    };
  }
  // Multiclass: class colour, lightness by confidence (1/C → white, 1 → full colour).
  const floor = 1 / nClasses;
  const source = gridToDataURL(cls, (k) => {
    const c = PALETTE_RGB[Math.round(value(cls, cls.bytes[k])) % PALETTE_RGB.length];
    const p = view.discretize ? 0.55 : (value(conf, conf.bytes[k]) - floor) / (1 - floor);
    const t = 0.12 + 0.6 * Math.max(0, Math.min(1, p));
    return [WHITE[0] + (c[0] - WHITE[0]) * t, WHITE[1] + (c[1] - WHITE[1]) * t, WHITE[2] + (c[2] - WHITE[2]) * t];
  }, false);
  return {
    type: "image", source, x0, y0, dx: (x1 - x0) / (cols - 1), dy: (y1 - y0) / (rows - 1),
    hoverinfo: "skip",
  };
}

/** Redraw from state (the newest boundary + current dataset). */
export function drawBoundary() {
  const ds = state.dataset;
  if (!ds || ds.kind !== "2d") return;
  const b = state.heavy.boundary;
  const bounds = b ? { x: b.xs_range, y: b.ys_range } : ds.bounds;
  if (!bounds) return;
  const n = ds.n_classes ?? 2;
  const data = [
    background(b, n),
    pointsTrace(ds.train, "train", n, false),
    view.showTest ? pointsTrace(ds.test, "test", n, true) : { type: "scatter", x: [], y: [] },
  ];
  const lay = layout(ds.bounds ?? bounds);
  if (!created) {
    Plotly.newPlot(div(), data, lay, { displayModeBar: false, responsive: true });
    created = true;
    installClicks();
  } else {
    Plotly.react(div(), data, lay);
  }
}

/** Image (data URL) of the output for the network diagram's output node. */
export function boundaryThumb() {
  const b = state.heavy.boundary, n = state.dataset?.n_classes ?? 2;
  if (!b) return null;
  const cls = decodeGrid(b.classes), conf = decodeGrid(b.confidence);
  return gridToDataURL(cls, (k) => {
    const c = Math.round(value(cls, cls.bytes[k]));
    const rgb = n <= 2 ? (c === 1 ? [8, 119, 189] : [245, 147, 34]) : PALETTE_RGB[c % PALETTE_RGB.length];
    const t = 0.15 + 0.6 * value(conf, conf.bytes[k]);
    return rgb.map((v) => 255 + (v - 255) * t);
  }, true);
}

function installClicks() {
  const gd = div();
  gd.addEventListener("click", (ev) => {
    const fl = gd._fullLayout;
    const drag = gd.querySelector(".nsewdrag");
    if (!fl || !drag) return;
    const r = drag.getBoundingClientRect();
    if (ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom) return;
    const x = fl.xaxis.p2d(ev.clientX - r.left);
    const y = fl.yaxis.p2d(ev.clientY - r.top);
    if (ev.altKey) send({ type: "remove_point", x, y });
    else send({ type: "add_point", x, y, label: ev.shiftKey ? 1 : 0 });
  });
}

export function resetBoundary() {
  if (created) Plotly.purge(div());
  created = false;
}
