// The loss-landscape panel: contours of the training loss over a plane through the weights now
// (two filter-normalised random directions, Li et al. 2018) and the optimizer's path on it, from
// the `landscape` message. Drawn when the panel opens and again on "Draw"; the server computes
// it in slices beside training (`landscape_progress` meanwhile).
import { on, send, state } from "./state.js";
import { t } from "./i18n.js";
import { fmt, plotConfig } from "./grid.js";

const $ = (id) => document.getElementById(id);
// The panel's state, in one place.
const view = {
  last: null, // the newest `landscape` message drawn
  waiting: false, // a request is under way
  drawn: false, // the plot exists (newPlot once, then react)
};

function request() {
  const res = Math.round(+$("land-res").value || 21);
  const span = +$("land-span").value || 1;
  view.waiting = true;
  $("land-progress").textContent = t("land.computing", { pct: 0 });
  send({ type: "landscape", resolution: res, span });
}

function draw(m) {
  const div = $("landscape-plot");
  // log10 of the loss: near the minimum and far up the walls are both readable.
  const z = m.loss.map((row) => row.map((v) => (v === null || v <= 0 ? null : Math.log10(v))));
  const last = m.path.step.length - 1;
  const data = [
    { type: "contour", x: m.alpha, y: m.beta, z, colorscale: "Viridis", reversescale: false,
      ncontours: 24, contours: { coloring: "heatmap", showlines: true },
      line: { width: 0.5, color: "rgba(255,255,255,0.5)" },
      colorbar: { title: { text: t("land.log_loss"), side: "right" }, thickness: 12 },
      hovertemplate: `α %{x:.2f}, β %{y:.2f}<br>${t("plot.loss")} 10^%{z:.2f}<extra></extra>` },
    { type: "scatter", mode: "lines+markers", x: m.path.alpha, y: m.path.beta,
      text: m.path.step.map((s) => `${t("plot.step")} ${s}`), hoverinfo: "text",
      line: { color: "#fff", width: 2 },
      marker: { size: 5, color: m.path.step, colorscale: "Reds", line: { color: "#000", width: 0.5 } },
      name: t("land.path") },
    { type: "scatter", mode: "markers", x: [m.path.alpha[last]], y: [m.path.beta[last]],
      marker: { size: 14, symbol: "star", color: "#f59322", line: { color: "#000", width: 1 } },
      hoverinfo: "text", text: [`${t("land.now")} (${t("plot.step")} ${m.step})`], name: t("land.now") },
  ];
  const layout = {
    margin: { l: 44, r: 10, t: 10, b: 40 }, showlegend: false, uirevision: "keep",
    xaxis: { title: { text: "α" }, zeroline: false, range: [m.alpha[0], m.alpha[m.alpha.length - 1]] },
    yaxis: { title: { text: "β" }, zeroline: false, range: [m.beta[0], m.beta[m.beta.length - 1]], scaleanchor: "x" },
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  if (view.drawn) Plotly.react(div, data, layout, plotConfig("landscape"));
  else Plotly.newPlot(div, data, layout, plotConfig("landscape"));
  view.drawn = true;
  $("land-caption").textContent = t("land.drawn", {
    step: m.step, loss: fmt(m.center_loss), n: m.path.step.length, examples: m.examples,
  });
}

/** Open the panel and draw the landscape of the weights now (a lesson's prediction asks). */
export function openLandscape() {
  const panel = $("landscape-panel");
  if (!panel) return;
  panel.open = true;
  panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
  request();
}

export function initLandscape() {
  const panel = $("landscape-panel");
  if (!panel) return;
  $("btn-landscape").addEventListener("click", request);
  panel.addEventListener("toggle", () => {
    if (panel.open && !view.last && !view.waiting && state.hello) request();
  });
  on("landscape_progress", (p) => {
    $("land-progress").textContent = t("land.computing", { pct: Math.round((100 * p.done) / p.total) });
  });
  on("landscape", (m) => {
    view.last = m;
    view.waiting = false;
    $("land-progress").textContent = "";
    draw(m);
  });
  on("status", (s) => {
    // A new run: the picture shows the old one's weights (a request under way is dropped).
    if (s.rebuilt && view.last) $("land-caption").textContent = t("land.stale", { step: view.last.step });
    if (s.rebuilt) { view.waiting = false; $("land-progress").textContent = ""; }
  });
  on("lang:changed", () => { if (view.last) draw(view.last); });
}

// For tests and the console.
window.__bp = Object.assign(window.__bp ?? {}, { landscape: view });
