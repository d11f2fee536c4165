// Neuron surgery on the main network diagram: click an edge to type or drag its weight;
// right-click (or long-press) a neuron to freeze or kill it. Frozen and killed units are
// marked from each frame (frame.layers[].frozen / .killed), and every hidden column is
// labelled with its distinct units ("distinct units: 1 of 8", frame.layers[].distinct).
import { catchUp, on, send, state } from "../state.js";
import { applyI18n, t } from "../i18n.js";
import { attachKeys } from "./keys.js";

const NS = "http://www.w3.org/2000/svg";
const DRAG_MAX = 5; // the slider spans ±5; the box takes any value the server allows
const LONG_PRESS_MS = 550;
const SEND_EVERY_MS = 120; // while dragging, at most ~8 edits a second

let net = null; // the drawNetwork handle of the main diagram
let popup = null; // the open editor or menu
let returnTo = null; // what gets the focus back when the popup closes from the keyboard
let labels = []; // per column: the <text> of its distinct units (hidden columns only)

function close(refocus = false) {
  const back = returnTo;
  popup?.remove();
  popup = null;
  returnTo = null;
  if (refocus && back?.isConnected) back.focus();
}

/** A small dialog at (x, y) of the network's wrapper, closed by Escape or a click outside;
 * from the keyboard (`from`: the edge or neuron it was opened on) the focus goes back there. */
function openPopup(x, y, html, testid, from = null) {
  close();
  returnTo = from;
  const wrap = document.getElementById("network-wrap");
  const box = document.createElement("div");
  box.className = "lab-pop";
  box.dataset.testid = testid;
  box.setAttribute("role", "dialog");
  box.innerHTML = html;
  const title = box.querySelector(".lab-pop-title");
  if (title) { title.id = "lab-pop-title"; box.setAttribute("aria-labelledby", title.id); }
  const at = wrap.getBoundingClientRect();
  box.style.left = `${Math.max(0, Math.min(x - at.left, at.width - 220))}px`;
  box.style.top = `${y - at.top + 8}px`;
  wrap.append(box);
  applyI18n(box);
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") close(true); });
  popup = box;
  box.querySelector("input, button")?.focus();
  return box;
}

document.addEventListener("pointerdown", (e) => {
  if (popup && !popup.contains(e.target)) close();
});

function weightOf(layer, i, j) {
  return state.frame?.layers?.[layer]?.W?.[i]?.[j];
}

function editEdge(x, y, l, e, from = null) {
  const param = `W${l + 1}`;
  const v = weightOf(l, e.i, e.j) ?? 0;
  const box = openPopup(x, y, `
    <label><span class="lab-pop-title">${t("surgery.weight", { name: `${param}[${e.i}, ${e.j}]` })}</span>
      <input type="number" step="0.01" class="lab-value" data-testid="edge-value"></label>
    <input type="range" min="${-DRAG_MAX}" max="${DRAG_MAX}" step="0.01" class="lab-drag"
      data-testid="edge-drag" data-i18n-aria-label="surgery.drag">
    <p class="hint" data-i18n="surgery.edit_hint"></p>`, "edge-editor", from);
  const num = box.querySelector(".lab-value"), drag = box.querySelector(".lab-drag");
  num.value = String(v);
  drag.value = String(Math.max(-DRAG_MAX, Math.min(DRAG_MAX, v)));
  let last = 0;
  const edit = (value) => {
    if (Number.isFinite(value)) send({ type: "edit", param, index: [e.i, e.j], value });
  };
  num.addEventListener("change", () => edit(Number(num.value)));
  num.addEventListener("keydown", (k) => {
    if (k.key === "Enter") { edit(Number(num.value)); close(true); }
  });
  drag.addEventListener("input", () => {
    num.value = drag.value;
    const now = performance.now();
    if (now - last > SEND_EVERY_MS) { last = now; edit(Number(drag.value)); }
  });
  drag.addEventListener("change", () => edit(Number(drag.value)));
}

function unitMenu(x, y, l, k, from = null) {
  const layers = state.frame?.layers ?? [];
  const info = layers[l - 1] ?? {};
  const hidden = l < layers.length;
  const frozen = (info.frozen ?? []).includes(k), killed = (info.killed ?? []).includes(k);
  const box = openPopup(x, y, `
    <div class="lab-pop-title">${t("surgery.unit", { unit: k + 1, layer: l })}</div>
    <label>${t("surgery.bias", { name: `b${l}[${k}]` })}
      <input type="number" step="0.01" class="lab-bias" data-testid="unit-bias"></label>
    <button class="ghost" data-act="freeze" data-testid="unit-freeze">${t(frozen ? "surgery.thaw" : "surgery.freeze")}</button>
    ${hidden ? `<button class="ghost" data-act="kill" data-testid="unit-kill">${t(killed ? "surgery.revive" : "surgery.kill")}</button>` : ""}`,
  "unit-menu", from);
  const bias = box.querySelector(".lab-bias");
  bias.value = String(info.b?.[k] ?? 0);
  bias.addEventListener("change", () => {
    const value = Number(bias.value);
    if (Number.isFinite(value)) send({ type: "edit", param: `b${l}`, index: [k], value });
  });
  box.addEventListener("click", (e) => {
    const act = e.target.closest("button")?.dataset.act;
    if (!act) return;
    send({ type: act, layer: l, unit: k, on: act === "freeze" ? !frozen : !killed });
    close(e.detail === 0); // a key press (detail 0) gives the focus back to the neuron
  });
}

/** Hook the freshly drawn diagram: edge hit areas, neuron menus, distinct-unit labels. */
function attach(handle) {
  net = handle;  // an open editor or menu stays: a redraw (e.g. a resize) keeps the units
  const svg = net.svg;
  const hits = document.createElementNS(NS, "g");
  hits.setAttribute("class", "edge-hits");
  svg.querySelector("g.nodes").before(hits);
  const keyed = []; // the edges in order, for the keyboard (./keys.js)
  net.edges.forEach((list, l) => {
    for (const e of list) {
      if (e.i < 0) continue; // an input block: no single weight to edit
      const p = e.path.cloneNode(false);
      p.setAttribute("class", "edge-hit");
      p.dataset.testid = `edge-${l}-${e.i}-${e.j}`;
      p.addEventListener("click", (ev) => editEdge(ev.clientX, ev.clientY, l, e));
      hits.append(p);
      keyed.push({ l, i: e.i, j: e.j, hit: p });
    }
  });
  // Keyboard: one tab stop for the edges and one for the neurons (./keys.js).
  attachKeys(net, keyed, {
    openEdge: (k) => {
      const r = k.hit.getBoundingClientRect();
      editEdge(r.left + r.width / 2, r.top + r.height / 2, k.l, { i: k.i, j: k.j }, k.hit);
    },
    openUnit: unitMenu,
  });
  for (const g of svg.querySelectorAll(".node.hidden, .node.output")) {
    const l = +g.dataset.layer, k = +g.dataset.index;
    g.addEventListener("contextmenu", (ev) => { ev.preventDefault(); unitMenu(ev.clientX, ev.clientY, l, k); });
    let timer = null;
    g.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType === "mouse") return;
      timer = setTimeout(() => unitMenu(ev.clientX, ev.clientY, l, k), LONG_PRESS_MS);
    });
    for (const end of ["pointerup", "pointerleave", "pointercancel"]) {
      g.addEventListener(end, () => clearTimeout(timer));
    }
  }
  const H = svg.viewBox.baseVal.height;
  labels = net.sizes.map((_, l) => {
    if (l === 0 || l === net.sizes.length - 1) return null;
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", net.columnX(l));
    text.setAttribute("y", H - 4);
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("class", "distinct-label");
    text.dataset.testid = `distinct-${l}`;
    svg.append(text);
    return text;
  });
  mark(state.frame);
}

/** Mark frozen and killed units and write the distinct-unit labels, from frame `f`. */
function mark(f) {
  if (!net || !f?.layers) return;
  f.layers.forEach((layer, i) => {
    const col = net.nodes[i + 1] ?? [];
    col.forEach((nd, k) => {
      nd.g?.classList.toggle("frozen", (layer.frozen ?? []).includes(k));
      nd.g?.classList.toggle("killed", (layer.killed ?? []).includes(k));
    });
    const text = labels[i + 1];
    if (text && layer.distinct !== null && layer.distinct !== undefined) {
      const gap = net.columnX(2) - net.columnX(1); // narrow columns: a shorter label
      const s = gap < 80 ? `${layer.distinct}/${layer.fan_out}`
        : t(gap < 130 ? "net.distinct_short" : "net.distinct", { n: layer.distinct, of: layer.fan_out });
      if (text.textContent !== s) text.textContent = s;
      text.classList.toggle("symmetric", layer.distinct < layer.fan_out);
    }
  });
}

export function initSurgery() {
  on("network:drawn", attach);
  catchUp("network:drawn", attach);
  on("drawn", mark);
  on("lang:changed", () => { if (net) { labels.forEach((x) => x && (x.textContent = "")); mark(state.frame); } });
}
