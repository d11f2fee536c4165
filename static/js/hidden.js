// The hidden-space panel: the data and the input plane's grid as a chosen hidden layer sees
// them — exact for 2 or 3 units (3-D, drag to turn), a labelled PCA for wider layers. The
// server sends it only while this panel is open (message `hidden`), about 5 times a second.
import { on, send, state } from "./state.js";
import { classColor, decodeGrid, diverging, value } from "./grid.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const panel = () => $("hidden-panel");
let layer = 1;
let drawnKey = "";
let last = null;

const isOpen = () => panel()?.open && !!state.dataset;

/** Hidden layer widths from the newest frame (the network as it is). */
function widths() {
  const ls = state.frame?.layers ?? [];
  return ls.slice(0, -1).map((l) => l.fan_out);
}

function subscribe() {
  send({ type: "hidden", layer: isOpen() && widths().length ? layer : null });
}

function renderChooser() {
  const sel = $("hidden-layer");
  const ws = widths();
  const key = ws.join(",");
  if (sel.dataset.key === key) return;
  sel.dataset.key = key;
  sel.replaceChildren(...ws.map((w, i) => {
    const o = document.createElement("option");
    o.value = String(i + 1);
    o.textContent = t(w <= 3 ? "hidden.option_exact" : "hidden.option_pca", { k: i + 1, n: w });
    return o;
  }));
  if (layer > ws.length) layer = Math.max(ws.length, 1);
  sel.value = String(layer);
  $("hidden-none").hidden = ws.length > 0;
  if (isOpen()) subscribe();
}

function colours(p) {
  if (p.value) {
    const m = Math.max(...p.value.map(Math.abs), 1e-9);
    return p.value.map((v) => `rgb(${diverging(v / m).map(Math.round)})`);
  }
  const n = Math.max(state.dataset?.n_classes ?? 2, 2);
  return p.label.map((k) => classColor(k, n));
}

/** A quantized grid (docs/protocol.md "Grids") as rows of numbers. */
function rows(g) {
  const d = decodeGrid(g);
  return Array.from({ length: d.rows }, (_, i) =>
    Array.from(d.bytes.subarray(i * d.cols, (i + 1) * d.cols), (b) => value(d, b)));
}

/** Grid lines as one trace per direction: lines joined with null breaks. lines[d][l][p]. */
function lineTrace(lines, from, to, color, three) {
  const xyz = lines.map(() => []);
  for (let l = from; l < to; l++) {
    for (let d = 0; d < lines.length; d++) xyz[d].push(...lines[d][l], null);
  }
  const t = { mode: "lines", x: xyz[0], y: xyz[1], hoverinfo: "skip", line: { color, width: three ? 2 : 1 } };
  if (three) { t.type = "scatter3d"; t.z = xyz[2]; } else t.type = "scatter";
  return t;
}

function draw(h) {
  const div = $("hidden-plot");
  const three = h.points.coords.length === 3;
  const coords = h.points.coords.map((g) => rows(g)[0]);
  const lines = h.lines?.map(rows); // the input plane's grid: 2-D data only
  const classNames = state.dataset?.class_names ?? [];
  const pts = { // hover: the point's class (or target value)
    mode: "markers", x: coords[0], y: coords[1], hoverinfo: "text",
    text: h.points.label ? h.points.label.map((k) => classNames[k] ?? String(k)) : h.points.value.map(String),
    marker: { size: three ? 3 : 6, color: colours(h.points), line: { color: "#fff", width: three ? 0 : 0.8 } },
  };
  if (three) { pts.type = "scatter3d"; pts.z = coords[2]; } else pts.type = "scatter";
  const data = [pts];
  if (lines) {
    const half = lines[0].length / 2;
    data.unshift(
      lineTrace(lines, 0, half, "rgba(120,120,120,0.55)", three), // lines of constant x1
      lineTrace(lines, half, 2 * half, "rgba(120,120,120,0.3)", three), // lines of constant x2
    );
  }
  const names = h.mode === "pca"
    ? h.explained.map((e, i) => t("hidden.axis_pc", { k: i + 1, pct: Math.round(100 * e) }))
    : h.axes;
  const ax = (title) => ({ title: { text: title, font: { size: 11 } }, zeroline: false, tickfont: { size: 9 } });
  const key = `${h.layer}|${h.mode}|${h.width}|${state.dataset?.name}`;
  const layout = {
    margin: three ? { l: 0, r: 0, t: 0, b: 0 } : { l: 40, r: 8, t: 6, b: 34 },
    showlegend: false,
    uirevision: key, // keep the user's rotation / zoom while the picture moves
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "inherit" },
  };
  if (three) layout.scene = { xaxis: ax(names[0]), yaxis: ax(names[1]), zaxis: ax(names[2]), aspectmode: "cube" };
  else Object.assign(layout, { xaxis: ax(names[0]), yaxis: ax(names[1]) });
  if (drawnKey) Plotly.react(div, data, layout);
  else Plotly.newPlot(div, data, layout, { displayModeBar: false, responsive: true });
  drawnKey = key;
  const pct = h.explained ? Math.round(100 * (h.explained[0] + h.explained[1])) : 0;
  $("hidden-caption").textContent = t(h.mode === "exact" ? "hidden.caption_exact" : "hidden.caption_pca",
    { k: h.layer, n: h.width, pct });
}

export function initHidden() {
  panel().addEventListener("toggle", () => {
    subscribe();
    if (!panel().open) return;
    renderChooser();
    if (last) draw(last);
  });
  $("hidden-layer").addEventListener("change", (e) => {
    layer = Number(e.target.value);
    subscribe();
  });
  on("hello", () => { last = null; if (isOpen()) subscribe(); });
  on("dataset", () => {
    last = null;
    $("hidden-layer").dataset.key = ""; // re-subscribe with the new network's first frame
  });
  on("lang:changed", () => {
    $("hidden-layer").dataset.key = "";
    if (panel().open) { renderChooser(); if (last) draw(last); }
  });
  on("frame", (f) => {
    if (f.hidden) window.__bp.hiddenParts = (window.__bp.hiddenParts ?? 0) + 1;
    if (!panel().open) return;
    renderChooser();
    if (f.hidden) { last = window.__bp.hidden = f.hidden; draw(f.hidden); }
  });
}
