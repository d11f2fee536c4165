// The step-through panel: asks the server for a trace, walks its stages (buttons, autoplay,
// ← → Esc, space), lets the user pick an example of the batch, a neuron or an edge, and shows
// the formula with the real numbers, a gradient check, the loss change and MNIST aggregates.
import { catchUp, on, send, state } from "../state.js";
import { errorText, toast } from "../feedback.js";
import { applyI18n, t as tr } from "../i18n.js";
import { holdFocus } from "../dialogs.js";
import { esc, num, sig } from "./fmt.js";
import { buildStages, stageShort, stageStory, stageTitle } from "./model.js";
import { createDiagram } from "./diagram.js";
import { backwardNeuron, biasUpdate, edgeForward, edgeGradient, edgeUpdate, forwardNeuron,
  inputNeuron, lossFormula } from "./formulas.js";
import { digit, dwImages, layerBars, lossChange, normsTable } from "./extras.js";
import { hasParts, partFormula } from "./parts.js";

const TEMPLATE = `
<div class="sv-card" role="dialog" aria-modal="true" tabindex="-1" data-i18n-aria-label="sv.dialog" data-testid="stepper-panel">
  <header class="sv-head">
    <div class="sv-titles">
      <div class="sv-kicker"><span data-i18n="sv.kicker"></span> <span class="sv-meta"></span></div>
      <h2 class="sv-title" data-testid="stepper-stage-title"></h2>
    </div>
    <div class="sv-nav">
      <button class="sv-prev" data-testid="stepper-prev" data-i18n-title="sv.prev_title" data-i18n="sv.prev"></button>
      <span class="sv-count" data-testid="stepper-count"></span>
      <button class="sv-next primary" data-testid="stepper-next" data-i18n-title="sv.next_title" data-i18n="sv.next"></button>
      <button class="sv-play" data-testid="stepper-play" data-i18n-title="sv.auto_title"></button>
      <select class="sv-speed" data-i18n-title="sv.speed_title" data-i18n-aria-label="sv.speed_title" data-testid="stepper-speed">
        <option value="3000" data-i18n="sv.slow"></option><option value="1600" selected data-i18n="sv.normal"></option><option value="700" data-i18n="sv.fast"></option>
      </select>
    </div>
    <button class="sv-close" data-testid="stepper-close" data-i18n-title="sv.close_title" data-i18n-aria-label="sv.close">×</button>
  </header>
  <nav class="sv-stages" data-testid="stepper-stages"></nav>
  <div class="sv-msg" hidden></div>
  <div class="sv-body">
    <div class="sv-left">
      <p class="sv-story"></p>
      <div class="sv-rowpick">
        <button class="sv-row-prev" data-i18n-title="sv.row_prev">◀</button>
        <span class="sv-row" data-testid="stepper-row"></span>
        <button class="sv-row-next" data-i18n-title="sv.row_next">▶</button>
        <span class="sv-digit-box"></span>
      </div>
      <svg class="sv-net" data-testid="stepper-network"></svg>
      <p class="hint sv-legend"></p>
    </div>
    <div class="sv-right">
      <div class="sv-formula" data-testid="stepper-formula"></div>
      <div class="sv-gradcheck" data-testid="stepper-gradcheck" hidden></div>
      <div class="sv-bars-wrap"></div>
      <div class="sv-losschange"></div>
      <div class="sv-trace-opts">
        <label><input type="radio" name="sv-what" value="batch" checked data-testid="stepper-whole-batch"> <span data-i18n="sv.whole_batch"></span></label>
        <label><input type="radio" name="sv-what" value="one"> <span data-i18n="sv.one_example"></span>
          <input type="number" class="sv-example" min="0" value="0" data-testid="stepper-example"></label>
        <button class="sv-again" data-testid="stepper-again" data-i18n-title="sv.again_title" data-i18n="sv.again"></button>
      </div>
    </div>
  </div>
  <div class="sv-big"></div>
</div>`;

const root = document.getElementById("stepper");
const bp = (window.__bp = window.__bp || {});
const S = { trace: null, stages: [], i: 0, n: 0, sel: null, timer: null, pending: false,
  checks: new Map(), diagram: null,
  release: null,  // holdFocus's release while open: gives focus back to the opener
  resume: false,  // the server paused a running run for this trace: play again on close
};

export function initStepper() {
  if (!root) return;
  root.classList.add("sv");
  root.hidden = true;
  root.innerHTML = TEMPLATE;
  const $ = (q) => root.querySelector(q);
  S.$ = $;
  words();
  $(".sv-prev").addEventListener("click", () => go(S.i - 1));
  $(".sv-next").addEventListener("click", () => go(S.i + 1));
  $(".sv-play").addEventListener("click", toggleAuto);
  $(".sv-speed").addEventListener("change", () => { if (S.timer) { stopAuto(); toggleAuto(); } });
  $(".sv-close").addEventListener("click", close);
  $(".sv-row-prev").addEventListener("click", () => setRow(S.n - 1));
  $(".sv-row-next").addEventListener("click", () => setRow(S.n + 1));
  $(".sv-again").addEventListener("click", () => requestTrace());
  $(".sv-example").addEventListener("change", () => {
    root.querySelector('input[value="one"]').checked = true;
    S.split = "train"; // a typed number is a training example
  });
  root.addEventListener("click", (e) => { if (e.target === root) close(); });
  $(".sv-gradcheck").addEventListener("click", (e) => { if (e.target.closest(".sv-check")) gradcheck(); });

  on("stepper:open", () => open());
  catchUp("stepper:open", () => open()); // a lesson asked before this module was in
  on("lang:changed", () => {
    words();
    if (S.trace) { chrome(S.trace); render(); }
  });
  on("trace", onTrace);
  on("gradcheck", onGradcheck);
  on("error", (err) => {
    if (root.hidden || !(S.pending || ["no_trace", "example"].includes(err.code) || err.field === "example")) return;
    S.pending = false;
    message(tr("sv.server_said", { what: esc(errorText(err)) }), true);
  });
  on("status", (s) => {
    if (!root.hidden && s.code === "paused_for_trace") {
      S.resume = true;
      message(esc(errorText(s, "", "status")));
    }
  });
  // A point clicked on the 2-D plot (boundary.js): trace one step on that example.
  on("trace:example", (opts) => open(opts));
  // MNIST sample tiles (test examples): a click traces that digit.
  document.getElementById("mnist-samples")?.addEventListener("click", (e) => {
    const tile = e.target.closest("figure");
    if (!tile) return;
    const idx = [...tile.parentNode.children].indexOf(tile);
    const s = state.dataset?.samples?.[idx];
    if (s) open({ example: s.index, split: "test" });
  });
  window.addEventListener("keydown", onKey, true);
  window.addEventListener("resize", () => { if (!root.hidden && S.trace) { S.diagram = null; render(); } });

  Object.assign(bp, { stepper: {
    get trace() { return S.trace; }, get stage() { return S.stages[S.i]; }, get index() { return S.i; },
    get stages() { return S.stages; }, get selection() { return S.sel; }, get row() { return S.n; },
    get checks() { return Object.fromEntries(S.checks); },
    open, close, go, select, setRow, next: () => go(S.i + 1), prev: () => go(S.i - 1),
  } });
}

/** The panel's fixed words in the page's language. */
function words() {
  applyI18n(root);
  if (!S.timer) S.$(".sv-play").textContent = tr("sv.auto");
  else S.$(".sv-play").textContent = tr("sv.pause");
  if (!S.trace) S.$(".sv-title").textContent = tr("sv.tracing");
}

function traceOptions() {
  const one = S.$('input[value="one"]').checked;
  if (!one) return {};
  return { example: Math.max(0, Math.floor(+S.$(".sv-example").value || 0)), split: S.split ?? "train" };
}

function open(opts = null) {
  if (root.hidden) {
    root.hidden = false;
    S.resume = false;
    S.release = holdFocus(S.$(".sv-card"), { onEscape: close, first: S.$(".sv-close") });
  }
  document.body.classList.add("stepper-open");
  if (state.dataset?.n_train) S.$(".sv-example").max = state.dataset.n_train - 1;
  if (opts?.example !== undefined) {
    S.$('input[value="one"]').checked = true;
    S.$(".sv-example").value = opts.example;
    S.split = opts.split ?? "train";
  }
  requestTrace(opts);
}

function close() {
  stopAuto();
  root.hidden = true;
  document.body.classList.remove("stepper-open");
  S.release?.();
  S.release = null;
  // The run was paused only to trace: it goes on, and the status bar says so.
  if (S.resume && !state.running && send({ type: "play" })) toast(tr("sv.resumed"), "info");
  S.resume = false;
}

function requestTrace(opts = null) {
  const o = opts ?? traceOptions();
  S.pending = true;
  message("");
  S.$(".sv-title").textContent = tr("sv.tracing");
  if (!send({ type: "trace", ...o })) message(tr("sv.not_connected"), true);
}

function message(html, bad = false) {
  const m = S.$(".sv-msg");
  m.innerHTML = html;
  m.hidden = !html;
  m.classList.toggle("bad", bad);
}

function onTrace(t) {
  if (root.hidden && !S.pending) return;
  S.pending = false;
  S.trace = t;
  S.stages = buildStages(t);
  S.checks = new Map();
  S.n = 0;
  S.sel = { type: "neuron", col: 1, k: 0 };
  S.diagram = null;
  chrome(t);
  go(0);
}

/** The stage pills and the per-layer aggregates of a trace. */
function chrome(t) {
  const pills = S.stages.map((s, i) =>
    `<button class="sv-pill ${s.kind}" data-i="${i}" data-testid="stepper-pill">${stageShort(t, s)}</button>`).join("");
  S.$(".sv-stages").innerHTML = pills;
  S.$(".sv-stages").querySelectorAll("button").forEach((b) => b.addEventListener("click", () => go(+b.dataset.i)));
  const big = S.$(".sv-big");
  big.innerHTML = dwImages(t) + `<div class="sv-norms-box"><h4>${tr("sv.norms_head")}</h4>${normsTable(t)}</div>`;
}

function go(i) {
  if (!S.trace) return;
  const j = Math.max(0, Math.min(S.stages.length - 1, i));
  if (j !== i && S.timer) stopAuto();
  S.i = j;
  const s = S.stages[j];
  // A selected neuron follows the stage to the layer being computed.
  if (s.column !== null && (!S.sel || S.sel.type === "neuron")) {
    const size = S.trace.layers[s.column - 1].shape[1];
    S.sel = { type: "neuron", col: s.column, k: Math.min(S.sel?.k ?? 0, size - 1) };
  }
  render();
}

function select(sel) {
  S.sel = sel;
  render();
}

function setRow(n) {
  if (!S.trace) return;
  S.n = Math.max(0, Math.min(S.trace.batch_size - 1, n));
  render();
}

function toggleAuto() {
  if (S.timer) return stopAuto();
  if (S.i >= S.stages.length - 1) go(0);
  S.timer = setInterval(() => go(S.i + 1), +S.$(".sv-speed").value);
  S.$(".sv-play").textContent = tr("sv.pause");
  S.$(".sv-play").classList.add("on");
}

function stopAuto() {
  clearInterval(S.timer);
  S.timer = null;
  if (S.$) { S.$(".sv-play").textContent = tr("sv.auto"); S.$(".sv-play").classList.remove("on"); }
}

function onKey(e) {
  if (root.hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName)) return;
  const act = { ArrowRight: () => go(S.i + 1), ArrowLeft: () => go(S.i - 1), Escape: close, " ": toggleAuto }[e.key];
  if (!act) return;
  e.preventDefault();
  e.stopPropagation();
  act();
}

function render() {
  const t = S.trace;
  const s = S.stages[S.i];
  const $ = S.$;
  $(".sv-title").textContent = stageTitle(t, s);
  $(".sv-title").dataset.kind = s.kind;
  root.dataset.stage = s.kind;
  $(".sv-count").textContent = `${S.i + 1} / ${S.stages.length}`;
  $(".sv-prev").disabled = S.i === 0;
  $(".sv-next").disabled = S.i === S.stages.length - 1;
  const what = t.example === null ? tr("sv.meta_batch", { n: t.batch_size })
    : tr(t.split === "test" ? "sv.meta_test_example" : "sv.meta_train_example", { i: t.example });
  $(".sv-meta").textContent = `· ${tr("sv.meta_step", { step: t.step })} · ${what} · ${t.dtype}`;
  $(".sv-stages").querySelectorAll("button").forEach((b, i) => {
    b.classList.toggle("current", i === S.i);
    b.classList.toggle("done", i < S.i);
  });
  $(".sv-story").innerHTML = stageStory(t, s);
  const N = t.batch_size;
  const y = t.labels[S.n];
  $(".sv-row").innerHTML = state.dataset?.task === "regression"
    ? tr("sv.row_target", { i: S.n + 1, n: N, y: num(y) }) // a real-valued target
    : tr("sv.row", { i: S.n + 1, n: N, label: esc(t.class_names?.[y] ?? y) });
  $(".sv-row-prev").disabled = S.n === 0;
  $(".sv-row-next").disabled = S.n >= N - 1;
  const dg = digit(t, S.n);
  $(".sv-digit-box").replaceChildren(...(dg ? [dg] : []));
  const back = s.kind === "backward" || s.kind === "update";
  $(".sv-legend").innerHTML = tr("sv.legend", { v: back ? "dL/dz" : "a",
    e: s.kind === "backward" ? "dL/dW" : s.kind === "update" ? "ΔW" : "W" });
  if (!S.diagram) {
    const svg = $(".sv-net");
    const w = svg.parentNode.clientWidth || 600;
    const h = Math.max(260, Math.min(420, window.innerHeight - 420));
    svg.style.height = `${h}px`;
    S.diagram = createDiagram(svg, t, { onSelect: select, width: w, height: h });
  }
  S.diagram.render(s, S.n, S.sel);
  $(".sv-formula").innerHTML = formula(t, s);
  renderCheck();
  $(".sv-bars-wrap").innerHTML = layerBars(t, s, S.n);
  $(".sv-losschange").innerHTML = s.kind === "update" || s.kind === "loss"
    ? `<h4>${tr("sv.loss_change_head")}</h4>${lossChange(t)}` : "";
}

function formula(t, s) {
  const sel = S.sel;
  const n = S.n;
  let head = "", body = "";
  if (s.part) { // a norm, dropout or residual stage: unit k of its layer (the first if none picked)
    const k = sel?.type === "neuron" && sel.col === s.layer ? sel.k : 0;
    head = tr("sv.neuron_head", { k: k + 1, l: s.layer });
    body = partFormula(t, s, k, n);
  } else if (s.kind === "loss" && (!sel || sel.type === "neuron")) {
    head = tr("sv.loss_head");
    body = lossFormula(t, n);
  } else if (!sel) {
    body = `<p>${tr("sv.click_something")}</p>`;
  } else if (sel.type === "neuron") {
    const { col: c, k } = sel;
    // an output of several classes is named as the diagram labels it: by its class
    const outClass = c === t.layers.length && t.layers[c - 1].z[0].length > 1 && t.task !== "regression";
    head = c === 0 ? tr("sv.input_head", { k: k + 1 })
      : outClass ? tr("sv.neuron_class_head", { k: k + 1, c: t.class_names?.[k] ?? String(k) })
      : tr(c === t.layers.length ? "sv.neuron_out_head" : "sv.neuron_head", { k: k + 1, l: c });
    if (c === 0) body = inputNeuron(t, k, n);
    else if (s.kind === "forward") body = c <= s.layer ? forwardNeuron(t, c, k, n) : notYet(tr("sv.wait_forward"));
    else if (s.kind === "loss") body = forwardNeuron(t, c, k, n);
    else if (s.kind === "backward") body = c >= s.layer ? backwardNeuron(t, c, k, n) : notYet(tr("sv.wait_gradient")) + forwardNeuron(t, c, k, n);
    else body = biasUpdate(t, c, k) + backwardNeuron(t, c, k, n);
    if (c > 0 && hasParts(t.layers[c - 1]) && (s.kind === "forward" || s.kind === "backward")) {
      body += `<p class="eq-note">${tr("sv.parts_note")}</p>`;
    }
  } else {
    const { layer: l, i, j } = sel;
    head = tr("sv.edge_head", { i: i + 1, j: j + 1, l });
    if (!t.layers[l - 1].W) body = notYet(tr("sv.wait_too_large"));
    else if (s.kind === "forward" || s.kind === "loss") body = edgeForward(t, l, i, j, n);
    else if (s.kind === "backward") body = l >= s.layer ? edgeGradient(t, l, i, j) : notYet(tr("sv.wait_backward")) + edgeForward(t, l, i, j, n);
    else body = edgeUpdate(t, l, i, j) + edgeGradient(t, l, i, j);
  }
  return `<h3>${head}</h3><div class="sv-eqs">${body}</div>`;
}

const notYet = (why) => `<p class="eq-note wait">${tr("sv.not_yet", { why })}</p>`;

// ---- gradient check -------------------------------------------------------------------------
function checkTarget() {
  const s = S.stages[S.i];
  const sel = S.sel;
  if (S.trace && s.part === "norm" && s.kind === "backward") { // γ of the unit shown
    const k = sel?.type === "neuron" && sel.col === s.layer ? sel.k : 0;
    return { param: `norm${s.layer}.gamma`, index: [k] };
  }
  if (!S.trace || sel?.type !== "edge" || !S.trace.layers[sel.layer - 1].W) return null;
  if (!(s.kind === "update" || (s.kind === "backward" && sel.layer >= s.layer))) return null;
  return { param: `W${sel.layer}`, index: [sel.i, sel.j] };
}

function gradcheck() {
  const g = checkTarget();
  if (!g) return;
  S.checks.set(`${g.param}[${g.index}]`, { pending: true });
  send({ type: "gradcheck", ...g });
  renderCheck();
}

function onGradcheck(m) {
  S.checks.set(`${m.param}[${m.index}]`, m);
  renderCheck();
}

function renderCheck() {
  const box = S.$(".sv-gradcheck");
  const g = checkTarget();
  box.hidden = !g;
  if (!g) return;
  const r = S.checks.get(`${g.param}[${g.index}]`);
  const name = g.param.startsWith("norm")
    ? `dL/dγ<sub>${g.index[0] + 1}</sub><sup>(${g.param.slice(4, g.param.indexOf("."))})</sup>`
    : `dL/dW<sub>${g.index[0] + 1}${g.index[1] + 1}</sub><sup>(${g.param.slice(1)})</sup>`;
  let html = `<h4>${tr("sv.gc_head", { name })}</h4>`;
  if (!r) {
    html += `<p>${tr("sv.gc_intro")}</p><button class="sv-check primary" data-testid="stepper-gradcheck-run">${tr("sv.gc_run")}</button>`;
  } else if (r.pending) {
    html += `<p>${tr("sv.gc_computing")}</p>`;
  } else {
    const e = r.rel_error;
    const grade = e < 1e-6 ? "good" : e < 1e-3 ? "ok" : "bad";
    html += `<table class="sv-gc"><tr><td>${tr("sv.gc_analytic")}</td><td>${num(r.analytic, { q: "analytic" })}</td></tr>
      <tr><td>${tr("sv.gc_numeric")}</td><td>${num(r.numeric, { q: "numeric" })}</td></tr>
      <tr><td>${tr("sv.gc_relerr")}</td><td><span class="sv-relerr ${grade}" data-testid="stepper-relerr" data-value="${e}">${sig(e, 2)}</span></td></tr></table>
      <p class="eq-note">${tr("sv.gc_note")} ${tr(`sv.gc_${grade}`)}
      ${tr(S.trace.dtype === "float32" ? "sv.gc_float32" : "sv.gc_dtype", { dtype: esc(S.trace.dtype) })}</p>`;
  }
  box.innerHTML = html;
}
