// Wiring: messages -> state -> one draw per animation frame (only the newest frame is drawn).
import { configure, emit, field, on, send, state } from "./state.js";
import { buildControls, setControlValues } from "./controls.js";
import { drawNetwork } from "./network.js";
import { renderLayerButtons } from "./layers.js";
import { boundaryThumb, drawBoundary, view } from "./boundary.js";
import { clearCurves, drawCurves, drawSparkline, recordFrame, setLogLoss } from "./curves.js";
import { drawHistograms, drawSaturation } from "./histograms.js";
import { buildSamples, drawMnist, forgetMnist } from "./mnist.js";
import { initDraw } from "./draw.js";
import { errorText, postToSession, showError } from "./feedback.js";
import { applyHash, writeHash } from "./url.js";
import { initLessons } from "./lessons.js";
import { initLegend } from "./legend.js";
import { classColor, fmt } from "./grid.js";
import { initLangSwitch, t } from "./i18n.js";
import { curveThumb, curveView, drawCurvePlot, neuronCurveImages } from "./curve.js";
import { initHidden } from "./hidden.js";
import { pagePlane } from "./forward.js";
import { initLandscape } from "./landscape.js";
import "./schedule.js";

const $ = (id) => document.getElementById(id);
const bp = window.__bp;
let scheduled = false;
let net = null;
let netKey = "";
let lastHeavyDraw = 0;
let lastCurvesDraw = 0;
let lastCurvePlot = 0;
// Panels currently on screen (IntersectionObserver): off-screen Plotly panels are redrawn
// only every OFFSCREEN_MS while training (at once when they come into view): the boundary
// keeps the page's thread.
const OFFSCREEN_MS = 3000;
const visible = new Set();
const observer = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (e.isIntersecting) { visible.add(e.target.id); drawnFrame = null; schedule(); }
    else visible.delete(e.target.id);
    if (e.target.id === "histograms") tellView({ hists: e.isIntersecting });
  }
});
for (const id of ["histograms", "curves", "gradnorms", "mnist-weights", "boundary", "network"]) {
  observer.observe(document.getElementById(id));
}
let drawnFrame = null;
let viewPx = 0; // neuron map size last told to the server (`view`)
let planeOf = null; // the frame whose plane the page drew itself (forward.js)
let lastPlane = 0; // when (performance.now()) it did

/** Tell the server what the page shows: frames then leave out what it does not. */
function tellView(parts) {
  send({ type: "view", ...parts });
}

// ---- messages ---------------------------------------------------------------------------
on("hello", (h) => {
  state.hello = h;
  state.session = h.session;
  state.catalogue = h.catalogue;
  viewPx = 0; // a new session: tell it the map size again
  tellView({ plane: "page", grads: $("show-grads").checked, hists: visible.has("histograms") });
  state.config = structuredClone(h.config ?? {});
  buildControls();
  applyHash();
  // A link's session waited for its settings (socket.js): now it plays them from step 0.
  if (state.heldForLink && !h.resumed) { send({ type: "play" }); setRunning(true); }
  state.heldForLink = false;
  renderLayerButtons(net);
  $("btn-play").disabled = false;
});

on("dataset", (d) => {
  state.dataset = d;
  document.body.classList.remove("mode-2d", "mode-1d", "mode-image", "mode-table");
  document.body.classList.add(`mode-${d.kind}`);
  document.body.classList.toggle("task-regression", d.task === "regression");
  const prev = state.datasetName;
  state.datasetName = `${d.name}|${d.kind}|${d.n_classes}`;
  if (d.kind === "image") buildSamples(d);
  else forgetMnist();
  if (prev !== state.datasetName) {
    // Another dataset: old maps no longer apply. (An added point keeps them until the next frame.)
    state.heavy.boundary = null;
    state.heavy.neurons = null;
    state.heavy.hists = null;
    state.heavy.curve = null;
    netKey = "";
  }
  drawnFrame = null;
  schedule();
});

on("frame", (f) => {
  state.frame = f;
  bp.frames += 1;
  if (f.boundary) state.heavy.boundary = f.boundary;
  if (f.neurons) state.heavy.neurons = f.neurons;
  if (f.curve) state.heavy.curve = f.curve;
  if (f.layers?.[0]?.hist) state.heavy.hists = f.layers.map((l) => l.hist);
  if (f.mnist) {
    for (const k of ["weights", "confusion", "samples"]) if (f.mnist[k]) state.heavy.mnist[k] = f.mnist[k];
  }
  if (f.state) setRunning(f.state === "running");
  recordFrame(f);
  schedule();
});

on("status", (s) => {
  state.status = s;
  setRunning(s.state === "running");
  if (s.config) {
    Object.assign(state.config, s.config);
    setControlValues();
    writeHash();
    renderLayerButtons(net); // a layer's settings may change without its width: its marks
  }
  if (s.rebuilt) clearCurves();
});

on("config:changed", () => {
  writeHash();
  renderLayerButtons(net);
});

on("conn:lost", () => setRunning(false));
on("lang:changed", () => { writeHash(); renderLayerButtons(net); netKey = ""; drawnFrame = null; schedule(); });
on("error", () => writeHash()); // feedback.js has put the refused value back

function setRunning(r) {
  state.running = r;
  document.body.classList.toggle("running", r);
  $("btn-play").dataset.i18nAriaLabel = r ? "top.pause" : "top.play";
  $("btn-play").setAttribute("aria-label", t(r ? "top.pause" : "top.play"));
  $("btn-play").dataset.state = r ? "running" : "paused";
}

// ---- drawing ----------------------------------------------------------------------------
function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

function networkSizes(f) {
  if (f?.layers?.length) return [f.layers[0].fan_in, ...f.layers.map((l) => l.fan_out)];
  return null;
}

function ensureNetwork(f) {
  const sizes = networkSizes(f);
  if (!sizes) return;
  const ds = state.dataset;
  const inputLabels = ds?.input_names?.length === sizes[0] ? ds.input_names : null;
  const outputLabels = sizes[sizes.length - 1] > 1 ? ds?.class_names : null;
  const key = `${sizes}|${inputLabels}|${outputLabels}|${$("network").clientWidth}|${$("network").clientHeight}`;
  if (key === netKey) return;
  netKey = key;
  net = drawNetwork($("network"), sizes, {
    inputLabels, outputLabels, maxNodes: 16, mapsCanvas: true,
    onNeuronHover: (l, k) => {
      view.neuron = l === null ? null : [l - 1, k];
      // 1-D: hovering a last-hidden unit picks out its contribution to the curve
      curveView.unit = l !== null && l === sizes.length - 2 ? k : null;
      drawBoundary();
      drawCurvePlot();
    },
  });
  renderLayerButtons(net);
  const nOut = sizes[sizes.length - 1];
  if (nOut > 1) {
    net.nodes[sizes.length - 1].forEach((nd, k) => nd.rect?.setAttribute("stroke", classColor(k, nOut)));
  }
  emit("network:drawn", net);
}

let columns = { of: null, maps: null };
/** Neuron maps per diagram column (inputs first), the same array while they are the same. */
function mapColumns(neurons) {
  if (columns.of !== neurons) columns = { of: neurons, maps: neurons ? [null, ...neurons] : null };
  return columns.maps;
}

/** Tell the server at what size neuron maps are drawn (device pixels): it sends them so. */
function tellViewSize() {
  if (!net) return;
  const px = Math.max(4, Math.min(64, Math.round((net.nodeSize - 2) * (window.devicePixelRatio || 1))));
  if (px !== viewPx && send({ type: "view", neuron_px: px })) viewPx = px;
}

/** 1234567 -> "1,234,567" (English and Korean group alike; toLocaleString's first call costs
 * ~10-20 ms of setting up, in the first picture's way). */
const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function drawCounters(f) {
  $("epoch").textContent = f.epoch === undefined ? "–" : f.epoch >= 100 ? group(Math.floor(f.epoch)) : f.epoch.toFixed(f.epoch < 10 ? 2 : 1);
  $("step").textContent = group(f.step);
  $("examples").textContent = group(f.examples ?? 0);
  $("train-loss").textContent = fmt(f.train?.loss);
  $("test-loss").textContent = fmt(f.test?.loss);
  const pct = (a) => (a === null || a === undefined ? "–" : `${(a * 100).toFixed(1)}%`);
  const r2 = (a) => (a === null || a === undefined ? "–" : a.toFixed(3));
  const reg = f.train?.r2 !== null && f.train?.r2 !== undefined;
  $("train-acc").textContent = reg ? r2(f.train.r2) : pct(f.train?.accuracy);
  $("test-acc").textContent = reg ? r2(f.test?.r2) : pct(f.test?.accuracy);
  const lr = $("cfg-learning_rate");
  if (lr) lr.closest(".control").dataset.serverValue = String(f.learning_rate);
}

function render() {
  scheduled = false;
  const f = state.frame;
  if (!f || f === drawnFrame) return;
  drawnFrame = f;
  bp.draws += 1;
  bp.lastStep = f.step;
  if (f.step > 0 && bp.firstTrainedAt === undefined) {
    bp.firstTrainedAt = performance.now();
    bp.plotlyAtFirst = !!window.Plotly; // false: the first picture did not wait for it
    setTimeout(loadPlotly, 50); // once this picture is painted
  }
  const T = bp.t ?? (bp.t = {});
  let t0 = performance.now();
  const lap = (k) => { const t = performance.now(); T[k] = 0.9 * (T[k] ?? 0) + 0.1 * (t - t0); t0 = t; };
  drawCounters(f);
  ensureNetwork(f);
  tellViewSize();
  lap("network-build");
  // The plane from W and b (forward.js) when it is on screen, at most ~1/3 of the page's
  // time (~3 ms here: every frame at 60/s; a busy machine makes it dearer: then rarer).
  const planeShown = visible.has("boundary") || visible.has("network") || !state.running;
  const planeDue = !state.running || t0 - lastPlane >= 3 * (T["page-plane"] ?? 0);
  if (f.plane_by === "page" && planeOf !== f && planeShown && planeDue) {
    planeOf = f;
    lastPlane = t0;
    const p = pagePlane(f, state.dataset, 100, viewPx || 24);
    if (p) { state.heavy.boundary = p.boundary; state.heavy.neurons = p.neurons; }
    else tellView({ plane: "server" }); // a network forward.js does not know: grids again
    lap("page-plane");
  }
  const grads = $("show-grads").checked;
  const is2d = state.dataset?.kind === "2d", is1d = state.dataset?.kind === "1d";
  const oneOut = net?.sizes[net.sizes.length - 1] === 1;
  net?.update({
    weights: f.layers.map((l) => (grads ? l.dW : l.W)),
    images: is1d ? neuronCurveImages(state.heavy.neurons, state.config.activation) : [],
    label: grads ? "dL/dW" : t("net.weight"),
    outputImage: is2d && oneOut ? boundaryThumb() : is1d ? curveThumb() : null,
  });
  lap("network");
  net?.paintMaps(is2d ? mapColumns(state.heavy.neurons) : null);
  lap("neuron-maps");
  if (is2d) drawBoundary();
  lap("boundary");
  if (!window.Plotly) { drawSparkline(); emit("drawn", f); return; } // its panels come later
  const now0 = performance.now();
  if (is1d && (!state.running || now0 - lastCurvePlot > 100)) {
    lastCurvePlot = now0; // a Plotly line plot: ten a second reads as smooth motion
    drawCurvePlot();
    lap("curve");
  }
  // Plotly panels cost tens of ms each on a GPU-less laptop: on screen, curves at most
  // 2.5/s and the other panels 2/s, and each group at most ~1/8 of the time (a busy machine
  // or a deep network makes them dearer); off screen, every OFFSCREEN_MS (paused: every frame).
  // While running, one of the two groups a draw, so no draw is twice as long as the others.
  const now = performance.now();
  const paused = !state.running;
  const due = (id, last, every, cost) =>
    paused || now - last > Math.max(visible.has(id) ? every : OFFSCREEN_MS, 8 * (cost ?? 0));
  drawSparkline();
  if (due("curves", lastCurvesDraw, 400, T.curves) || due("gradnorms", lastCurvesDraw, 400, T.curves)) {
    lastCurvesDraw = now;
    drawCurves();
    lap("curves");
  }
  const drewCurves = lastCurvesDraw === now && !paused;
  if (!drewCurves && (due("histograms", lastHeavyDraw, 500, T.heavy) || due("mnist-weights", lastHeavyDraw, 500, T.heavy))) {
    lastHeavyDraw = now;
    drawHistograms(f);
    drawSaturation(f);
    if (state.dataset?.kind === "image") drawMnist();
    lap("heavy");
  }
  bp.panelDraws = (bp.panelDraws ?? 0) + 1; // drawn with its Plotly panels (tests wait on it)
  emit("drawn", f);
}

// ---- user input -------------------------------------------------------------------------
function playPause() {
  const r = !state.running;
  send({ type: r ? "play" : "pause" });
  setRunning(r);
}
const step = () => send({ type: "step", n: 1 });
const reset = () => { send({ type: "reset" }); clearCurves(); };

$("btn-play").addEventListener("click", playPause);
$("btn-step").addEventListener("click", step);
$("btn-reset").addEventListener("click", reset);
$("btn-regen").addEventListener("click", () => {
  const f = field("seed");
  const lo = f.min, hi = f.max;
  configure({ seed: lo + Math.floor(Math.random() * (hi - lo + 1)) });
});
$("show-grads").addEventListener("change", (e) => {
  tellView({ grads: e.target.checked });
  const caption = document.querySelector(".net-legend"); // what the edges show now
  caption.dataset.i18nHtml = e.target.checked ? "net.legend_grads" : "net.legend";
  caption.innerHTML = t(caption.dataset.i18nHtml);
  drawnFrame = null;
  schedule();
});
$("show-test").addEventListener("change", (e) => { view.showTest = e.target.checked; drawBoundary(); });
$("discretize").addEventListener("change", (e) => { view.discretize = e.target.checked; drawBoundary(); });
$("curve-test").addEventListener("change", (e) => { curveView.showTest = e.target.checked; drawCurvePlot(); });
$("curve-units").addEventListener("change", (e) => { curveView.showUnits = e.target.checked; drawCurvePlot(); });
$("loss-log").addEventListener("change", (e) => setLogLoss(e.target.checked));
$("hist-layer").addEventListener("change", () => drawHistograms(state.frame));
$("btn-stepper").addEventListener("click", () => emit("stepper:open"));
$("btn-bigfont").addEventListener("click", () => {
  const big = document.documentElement.classList.toggle("big");
  $("btn-bigfont").setAttribute("aria-pressed", String(big));
  localStorage.setItem("bp-big", big ? "1" : "");
  window.dispatchEvent(new Event("resize"));
});
if (localStorage.getItem("bp-big")) document.documentElement.classList.add("big");

$("upload").addEventListener("change", async (e) => {
  const file = e.target.files?.[0];
  e.target.value = "";
  if (!file || !state.session) return;
  try {
    const err = await postToSession("upload", file);
    if (err) {
      showError(err.field && document.querySelector(`[data-error-for="${CSS.escape(err.field)}"]`) ? err.field : "file",
        errorText(err, t("data.upload_failed", { status: err.status })));
    }
  } catch (err) {
    showError("file", t("data.upload_failed_because", { why: err.message }));
  }
});

document.addEventListener("keydown", (e) => {
  const t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName)) return;
  if (e.key === " ") { e.preventDefault(); playPause(); }
  else if (e.key === "s") step();
  else if (e.key === "r") reset();
});

// Plotly.js (4.8 MB, 1.5 MB gzipped) is downloaded once the page's modules are in (a
// preload from here: from <head> it took a connection and the wire from them) and run only
// after the first trained picture: parsing it holds the page's thread for ~1 s, socket
// messages included. Until then frames draw the plane, the diagram and the sparkline; the
// Plotly panels follow.
const PLOTLY_SRC = $("plotly-js").content;
const preload = Object.assign(document.createElement("link"), { rel: "preload", as: "script", href: PLOTLY_SRC });
document.head.append(preload);
function loadPlotly() {
  if (document.getElementById("plotly-run")) return;
  const s = document.createElement("script");
  s.id = "plotly-run";
  s.src = PLOTLY_SRC;
  s.onload = () => { drawnFrame = null; schedule(); emit("plotly:ready"); };
  document.head.append(s);
}
setTimeout(loadPlotly, 2500); // no trained frame so soon (a paused start, no server): load anyway

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { netKey = ""; drawnFrame = null; schedule(); }, 150);
});

$("btn-play").disabled = true;
initLangSwitch();
initLessons();
initLegend();
initDraw();
initHidden();
initLandscape();
