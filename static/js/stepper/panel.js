// The step-through panel: asks the server for a trace, walks its stages (buttons, autoplay,
// ← → Esc, space), lets the user pick an example of the batch, a neuron or an edge, and shows
// the formula with the real numbers, a gradient check, the loss change and MNIST aggregates.
import { on, send, state } from "../state.js";
import { esc, num, sig } from "./fmt.js";
import { buildStages, stageShort, stageStory, stageTitle } from "./model.js";
import { createDiagram } from "./diagram.js";
import { backwardNeuron, biasUpdate, edgeForward, edgeGradient, edgeUpdate, forwardNeuron,
  inputNeuron, lossFormula } from "./formulas.js";
import { digit, dwImages, layerBars, lossChange, normsTable } from "./extras.js";

const TEMPLATE = `
<div class="sv-card" role="dialog" aria-label="Backprop step-through" data-testid="stepper-panel">
  <header class="sv-head">
    <div class="sv-titles">
      <div class="sv-kicker">Backprop, one real training step <span class="sv-meta"></span></div>
      <h2 class="sv-title" data-testid="stepper-stage-title">Tracing…</h2>
    </div>
    <div class="sv-nav">
      <button class="sv-prev" data-testid="stepper-prev" title="Previous stage (←)">‹ Prev</button>
      <span class="sv-count" data-testid="stepper-count"></span>
      <button class="sv-next primary" data-testid="stepper-next" title="Next stage (→)">Next ›</button>
      <button class="sv-play" data-testid="stepper-play" title="Auto-play (space)">▶ Auto</button>
      <select class="sv-speed" title="Seconds per stage" data-testid="stepper-speed">
        <option value="3000">slow</option><option value="1600" selected>normal</option><option value="700">fast</option>
      </select>
    </div>
    <button class="sv-close" data-testid="stepper-close" title="Close (Esc)" aria-label="Close">×</button>
  </header>
  <nav class="sv-stages" data-testid="stepper-stages"></nav>
  <div class="sv-msg" hidden></div>
  <div class="sv-body">
    <div class="sv-left">
      <p class="sv-story"></p>
      <div class="sv-rowpick">
        <button class="sv-row-prev" title="Previous example of the batch">◀</button>
        <span class="sv-row" data-testid="stepper-row"></span>
        <button class="sv-row-next" title="Next example of the batch">▶</button>
        <span class="sv-digit-box"></span>
      </div>
      <svg class="sv-net" data-testid="stepper-network"></svg>
      <p class="hint sv-legend">Click a <b>neuron</b> or an <b>edge</b> for its formula. Neurons show
        <span class="sv-vlabel">a</span> for the selected example; edges show <span class="sv-elabel">W</span>
        (<span class="pos">blue +</span>, <span class="neg">orange −</span>, width = size).</p>
    </div>
    <div class="sv-right">
      <div class="sv-formula" data-testid="stepper-formula"></div>
      <div class="sv-gradcheck" data-testid="stepper-gradcheck" hidden></div>
      <div class="sv-bars-wrap"></div>
      <div class="sv-losschange"></div>
      <div class="sv-trace-opts">
        <label><input type="radio" name="sv-what" value="batch" checked data-testid="stepper-whole-batch"> whole mini-batch</label>
        <label><input type="radio" name="sv-what" value="one"> one example #
          <input type="number" class="sv-example" min="0" value="0" data-testid="stepper-example"></label>
        <button class="sv-again" data-testid="stepper-again" title="Run and trace the next training step">Trace a new step</button>
      </div>
    </div>
  </div>
  <div class="sv-big"></div>
</div>`;

const root = document.getElementById("stepper");
const bp = (window.__bp = window.__bp || {});
const S = { trace: null, stages: [], i: 0, n: 0, sel: null, timer: null, pending: false,
  checks: new Map(), diagram: null };

export function initStepper() {
  if (!root) return;
  root.classList.add("sv");
  root.hidden = true;
  root.innerHTML = TEMPLATE;
  const $ = (q) => root.querySelector(q);
  S.$ = $;
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
  on("trace", onTrace);
  on("gradcheck", onGradcheck);
  on("error", (err) => {
    if (root.hidden || !(S.pending || ["no_trace", "example"].includes(err.code) || err.field === "example")) return;
    S.pending = false;
    message(`The server said: ${esc(err.message ?? err.code)}`, true);
  });
  on("status", (s) => {
    if (!root.hidden && s.message && /trace/i.test(s.message)) message(esc(s.message));
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

function traceOptions() {
  const one = S.$('input[value="one"]').checked;
  if (!one) return {};
  return { example: Math.max(0, Math.floor(+S.$(".sv-example").value || 0)), split: S.split ?? "train" };
}

function open(opts = null) {
  root.hidden = false;
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
}

function requestTrace(opts = null) {
  const o = opts ?? traceOptions();
  S.pending = true;
  message("");
  S.$(".sv-title").textContent = "Tracing one training step…";
  if (!send({ type: "trace", ...o })) message("Not connected to the server.", true);
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
  const pills = S.stages.map((s, i) =>
    `<button class="sv-pill ${s.kind}" data-i="${i}" data-testid="stepper-pill">${stageShort(t, s)}</button>`).join("");
  S.$(".sv-stages").innerHTML = pills;
  S.$(".sv-stages").querySelectorAll("button").forEach((b) => b.addEventListener("click", () => go(+b.dataset.i)));
  const big = S.$(".sv-big");
  big.innerHTML = dwImages(t) + `<div class="sv-norms-box"><h4>Norms per layer <span class="hint">(the step relative to the weights: ‖ΔW‖/‖W‖ ≈ 10⁻³ is healthy)</span></h4>${normsTable(t)}</div>`;
  go(0);
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
  S.$(".sv-play").textContent = "❚❚ Pause";
  S.$(".sv-play").classList.add("on");
}

function stopAuto() {
  clearInterval(S.timer);
  S.timer = null;
  if (S.$) { S.$(".sv-play").textContent = "▶ Auto"; S.$(".sv-play").classList.remove("on"); }
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
  $(".sv-meta").textContent = `· training step ${t.step} · ${t.example === null ? `mini-batch of ${t.batch_size}` : `${t.split} example #${t.example}`} · ${t.dtype}`;
  $(".sv-stages").querySelectorAll("button").forEach((b, i) => {
    b.classList.toggle("current", i === S.i);
    b.classList.toggle("done", i < S.i);
  });
  $(".sv-story").innerHTML = stageStory(t, s);
  const N = t.batch_size;
  const y = t.labels[S.n];
  $(".sv-row").innerHTML = `example <b>${S.n + 1}</b> of ${N} <span class="hint">(label “${esc(t.class_names?.[y] ?? y)}”)</span>`;
  $(".sv-row-prev").disabled = S.n === 0;
  $(".sv-row-next").disabled = S.n >= N - 1;
  const dg = digit(t, S.n);
  $(".sv-digit-box").replaceChildren(...(dg ? [dg] : []));
  const back = s.kind === "backward" || s.kind === "update";
  $(".sv-vlabel").textContent = back ? "dL/dz" : "a";
  $(".sv-elabel").textContent = s.kind === "backward" ? "dL/dW" : s.kind === "update" ? "ΔW" : "W";
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
    ? `<h4>Loss on this batch, before → after the update</h4>${lossChange(t)}` : "";
}

function formula(t, s) {
  const sel = S.sel;
  const n = S.n;
  let head = "", body = "";
  if (s.kind === "loss" && (!sel || sel.type === "neuron")) {
    head = "The loss of the batch";
    body = lossFormula(t, n);
  } else if (!sel) {
    body = "<p>Click a neuron or an edge.</p>";
  } else if (sel.type === "neuron") {
    const { col: c, k } = sel;
    head = c === 0 ? `Input ${k + 1}` : `Neuron ${k + 1} of ${c === t.layers.length ? "the output layer" : `hidden layer ${c}`}`;
    if (c === 0) body = inputNeuron(t, k, n);
    else if (s.kind === "forward") body = c <= s.layer ? forwardNeuron(t, c, k, n) : notYet("forward has not reached this layer yet");
    else if (s.kind === "loss") body = forwardNeuron(t, c, k, n);
    else if (s.kind === "backward") body = c >= s.layer ? backwardNeuron(t, c, k, n) : notYet("the gradient has not flowed back to this layer yet") + forwardNeuron(t, c, k, n);
    else body = biasUpdate(t, c, k) + backwardNeuron(t, c, k, n);
  } else {
    const { layer: l, i, j } = sel;
    head = `Edge ${i + 1} → ${j + 1} of layer ${l}`;
    if (!t.layers[l - 1].W) body = notYet("this layer is too large to send its weights");
    else if (s.kind === "forward" || s.kind === "loss") body = edgeForward(t, l, i, j, n);
    else if (s.kind === "backward") body = l >= s.layer ? edgeGradient(t, l, i, j) : notYet("backward has not reached this layer yet") + edgeForward(t, l, i, j, n);
    else body = edgeUpdate(t, l, i, j) + edgeGradient(t, l, i, j);
  }
  return `<h3>${head}</h3><div class="sv-eqs">${body}</div>`;
}

const notYet = (why) => `<p class="eq-note wait">Not computed yet: ${why}. Press Next.</p>`;

// ---- gradient check -------------------------------------------------------------------------
function checkTarget() {
  const s = S.stages[S.i];
  const sel = S.sel;
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
  const name = `dL/dW<sub>${g.index[0] + 1}${g.index[1] + 1}</sub><sup>(${g.param.slice(1)})</sup>`;
  let html = `<h4>Gradient check for ${name}</h4>`;
  if (!r) {
    html += `<p>Nudge this one weight by ±h, run forward twice, and compare the slope with backprop:
      <b>(L(W+h) − L(W−h)) / 2h</b>.</p><button class="sv-check primary" data-testid="stepper-gradcheck-run">Check numerically</button>`;
  } else if (r.pending) {
    html += "<p>Computing…</p>";
  } else {
    const e = r.rel_error;
    const grade = e < 1e-6 ? "good" : e < 1e-3 ? "ok" : "bad";
    html += `<table class="sv-gc"><tr><td>backprop (analytic)</td><td>${num(r.analytic, { q: "analytic" })}</td></tr>
      <tr><td>finite differences</td><td>${num(r.numeric, { q: "numeric" })}</td></tr>
      <tr><td>relative error</td><td><span class="sv-relerr ${grade}" data-testid="stepper-relerr" data-value="${e}">${sig(e, 2)}</span></td></tr></table>
      <p class="eq-note">|a − n| / max(|a|, |n|). Both are computed in float64 on this batch with the weights before the update,
      so agreement is to ~10⁻⁸ or better: ${grade === "good" ? "backprop is right." : grade === "ok" ? "close, but suspicious." : "these disagree!"}
      The training itself runs in ${esc(S.trace.dtype)}${S.trace.dtype === "float32" ? " (about 7 significant digits), so the trace's dW above can differ from these in the 6th–7th digit" : ""}.</p>`;
  }
  box.innerHTML = html;
}
