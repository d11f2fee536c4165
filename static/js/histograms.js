// Per-layer histograms (weights, activations, gradients) and saturated / dead unit shares.
import { i18n, t } from "./i18n.js";
import { PALETTE, plotConfig } from "./grid.js";
import { state } from "./state.js";

const i18nLang = () => i18n.lang;

const KINDS = [
  ["weights", "#0877bd"],
  ["activations", "#2ca02c"],
  ["gradients", "#f59322"],
];
let histCreated = false;
let satCreated = false;
let layerNames = "";

function select() {
  return document.getElementById("hist-layer");
}

function syncSelector(layers) {
  const names = layers.map((l) => l.name).join(",") + i18nLang();
  if (names === layerNames) return;
  layerNames = names;
  const sel = select();
  const prev = sel.value;
  sel.replaceChildren(...layers.map((l, i) =>
    new Option(t(i === layers.length - 1 ? "plot.hist_layer_out" : "plot.hist_layer", { name: l.name }), String(i))));
  sel.value = prev && +prev < layers.length ? prev : "0";
}

function bars(h, color, axis) {
  if (!h) return { type: "bar", x: [], y: [], xaxis: `x${axis}`, yaxis: `y${axis}` };
  const x = [], w = [];
  for (let i = 0; i < h.counts.length; i++) {
    x.push((h.edges[i] + h.edges[i + 1]) / 2);
    w.push(h.edges[i + 1] - h.edges[i]);
  }
  return {
    type: "bar", x, y: h.counts, width: w, marker: { color, line: { width: 0 } },
    xaxis: axis === 1 ? "x" : `x${axis}`, yaxis: axis === 1 ? "y" : `y${axis}`,
    hovertemplate: "%{x:.3g}: %{y}<extra></extra>",
  };
}

export function drawHistograms(frame) {
  const layers = frame?.layers;
  if (!layers?.length) return;
  syncSelector(layers);
  const i = layers[+select().value] ? +select().value : 0;
  // Frames between two histogram updates carry none: draw the latest ones received.
  const hist = layers[i].hist ?? state.heavy.hists?.[i];
  const data = KINDS.map(([k, c], j) => bars(hist?.[k], c, j + 1));
  const ax = (d) => ({ domain: d, zeroline: false, tickfont: { size: 9 }, exponentformat: "e" });
  const lay = {
    grid: { rows: 1, columns: 3 }, showlegend: false, bargap: 0,
    margin: { l: 30, r: 8, t: 26, b: 26 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
    font: { family: "inherit", size: 10 },
    xaxis: ax([0, 0.3]), xaxis2: ax([0.35, 0.65]), xaxis3: ax([0.7, 1]),
    yaxis: { anchor: "x", tickfont: { size: 9 } }, yaxis2: { anchor: "x2", tickfont: { size: 9 } },
    yaxis3: { anchor: "x3", tickfont: { size: 9 } },
    annotations: KINDS.map(([k], i) => ({
      text: t(`plot.hist_${k}`), showarrow: false, xref: "paper", yref: "paper", y: 1.0, yanchor: "bottom",
      x: [0.15, 0.5, 0.85][i], font: { size: 11 },
    })),
    uirevision: "hist",
  };
  if (!histCreated) {
    Plotly.newPlot("histograms", data, lay, plotConfig("histograms"));
    histCreated = true;
  } else Plotly.react("histograms", data, lay);
}

export function drawSaturation(frame) {
  const layers = frame?.layers;
  if (!layers?.length) return;
  const names = layers.map((l, i) => (i === layers.length - 1 ? `${l.name} (${t("plot.out")})` : l.name));
  const sat = layers.map((l) => l.saturated ?? null);
  const dead = layers.map((l) => l.dead ?? null);
  const ratio = layers.map((l) => l.update_ratio ?? null);
  const data = [
    { type: "bar", name: t("plot.saturated"), x: names, y: sat, marker: { color: PALETTE[3] } },
    { type: "bar", name: t("plot.dead"), x: names, y: dead, marker: { color: "#555" } },
    { type: "scatter", mode: "markers", name: t("plot.update_ratio"), x: names, y: ratio, yaxis: "y2",
      marker: { color: PALETTE[4], size: 9, symbol: "diamond" } },
  ];
  const lay = {
    barmode: "group", margin: { l: 40, r: 62, t: 26, b: 30 },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: { family: "inherit", size: 11 },
    legend: { orientation: "h", y: 1.0, yanchor: "bottom", font: { size: 10 } },
    xaxis: { title: { text: t("plot.layer_axis"), standoff: 2 }, type: "category" },
    yaxis: { range: [0, 1], tickformat: ".0%", gridcolor: "#eee" },
    // A fixed decade scale (10⁻⁷…10¹): readable ticks, and ~10⁻³ (healthy) sits mid-chart.
    yaxis2: { overlaying: "y", side: "right", type: "log", showgrid: false, exponentformat: "power",
      range: [-7, 1], dtick: 2, tickfont: { size: 10 }, title: { text: t("plot.update_ratio"), standoff: 4 } },
    uirevision: "sat",
  };
  if (!satCreated) {
    Plotly.newPlot("saturation", data, lay, plotConfig("units"));
    satCreated = true;
  } else Plotly.react("saturation", data, lay);
}
