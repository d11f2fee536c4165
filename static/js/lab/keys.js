// The network diagram from the keyboard, two tab stops however big the network (roving
// tabindex: the item that holds the stop has tabindex 0, every other -1):
// - the edges: ←/→ move to the previous/next edge (Home/End: the first/last), ↑/↓ nudge the
//   weight by 0.1 (Shift, PageUp/PageDown: by 1), Enter opens the type-a-value box. Each
//   edge is a spinbutton named "weight from X₁ to h1.2: 0.43"; a nudge is an `edit`, and the
//   server answers with a paused frame, so the change shows at once as a click edit does.
// - the neurons: ↑/↓ within a column, ←/→ to the next column, Enter opens the unit's menu.
import { on, send, state } from "../state.js";
import { t } from "../i18n.js";

const NUDGE = 0.1;
const NUDGE_BIG = 1;
const WEIGHT_MAX = 100; // the server takes edits within ±100 (app/training/live/surgery.py)

let edges = []; // [{l, i, j, hit}] in the order (layer, from, to)
let edgeAt = 0; // the index of the edge that holds the tab stop
let units = []; // per column (hidden and output): [{l, k, g}]
let unitAt = [0, 0]; // [column, index] of the neuron that holds the tab stop
// The edge last nudged: {l, i, j, value (full precision), waiting: values sent, not yet seen
// in a frame}. Frames carry weights to 3 digits, so quick nudges add up from `value`; it is
// dropped when a frame shows the weight changed otherwise (a typed value, training).
let pending = null;
let net = null;

function weightOf(l, i, j) {
  return state.frame?.layers?.[l]?.W?.[i]?.[j];
}

/** "X₁" for an input, "h1.2" for hidden unit 2 of layer 1, "output 1" for an output. */
function unitName(col, k) {
  if (col === 0) return net.nodes[0][k]?.g?.querySelector(".node-label")?.textContent || `x${k + 1}`;
  if (col === net.sizes.length - 1) {
    const label = net.nodes[col][k]?.g?.querySelector(".node-label")?.textContent;
    return label || t("surgery.out_unit", { unit: k + 1 });
  }
  return `h${col}.${k + 1}`;
}

const shown = (v) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : "?");

/** The weight an edge shows now: a nudge still on its way, else the frame's. */
function valueOf(e) {
  if (pending && pending.l === e.l && pending.i === e.i && pending.j === e.j) return pending.value;
  return weightOf(e.l, e.i, e.j);
}

/** Does a frame's 3-digit weight w show the value v? */
const shows = (w, v) => Number.isFinite(w) && Math.abs(w - v) <= 0.0051 * Math.abs(v) + 1e-12;

/** Name of edge `e` without its value: every edge but the focused one (set when drawn). */
function name(e) {
  const text = t("surgery.edge_name", { from: unitName(e.l, e.i), to: unitName(e.l + 1, e.j), value: "" });
  e.hit.setAttribute("aria-label", text.replace(/:\s*$/, ""));
  e.hit.removeAttribute("aria-valuenow");
}

/** Name and value of edge `e` (only the focused one is kept fresh: cheap per frame). */
function label(e) {
  if (!e) return;
  const v = valueOf(e);
  const name = t("surgery.edge_name", {
    from: unitName(e.l, e.i), to: unitName(e.l + 1, e.j), value: shown(v),
  });
  if (e.hit.getAttribute("aria-label") !== name) e.hit.setAttribute("aria-label", name);
  if (Number.isFinite(v)) e.hit.setAttribute("aria-valuenow", String(v));
}

function moveEdge(n) {
  const to = Math.max(0, Math.min(edges.length - 1, n));
  edges[edgeAt]?.hit.setAttribute("tabindex", "-1");
  edgeAt = to;
  const e = edges[to];
  e.hit.setAttribute("tabindex", "0");
  label(e);
  e.hit.focus();
}

function nudge(e, delta) {
  const base = valueOf(e);
  if (!Number.isFinite(base)) return;
  const raw = Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, base + delta));
  const value = Math.round(raw * 1e6) / 1e6; // 0.3, not 0.30000000000000004
  if (!send({ type: "edit", param: `W${e.l + 1}`, index: [e.i, e.j], value })) return;
  const same = pending && pending.l === e.l && pending.i === e.i && pending.j === e.j;
  pending = { l: e.l, i: e.i, j: e.j, value, waiting: [...(same ? pending.waiting : []), value] };
  label(e);
}

/** Hook the edges' hit paths (in `hits`) and the neurons of a freshly drawn diagram. */
export function attachKeys(handle, hitList, { openEdge, openUnit }) {
  const old = edges[edgeAt];
  net = handle;
  edges = hitList;
  const again = edges.findIndex((e) => old && e.l === old.l && e.i === old.i && e.j === old.j);
  edgeAt = Math.max(0, again);
  const group = hitList[0]?.hit.parentNode;
  if (group) {
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("surgery.edges"));
  }
  edges.forEach((e, n) => {
    e.hit.setAttribute("role", "spinbutton");
    e.hit.setAttribute("aria-valuemin", String(-WEIGHT_MAX));
    e.hit.setAttribute("aria-valuemax", String(WEIGHT_MAX));
    e.hit.setAttribute("tabindex", n === edgeAt ? "0" : "-1");
    e.hit.setAttribute("aria-describedby", "surgery-keys");
    name(e);
    e.hit.addEventListener("focus", () => {
      if (edges[edgeAt] !== e) { edges[edgeAt]?.hit.setAttribute("tabindex", "-1"); edgeAt = n; }
      e.hit.setAttribute("tabindex", "0");
      label(e);
    });
    e.hit.addEventListener("blur", () => name(e)); // no value that would go stale
    e.hit.addEventListener("keydown", (ev) => {
      const step = ev.shiftKey ? NUDGE_BIG : NUDGE;
      const act = {
        ArrowUp: () => nudge(e, step), ArrowDown: () => nudge(e, -step),
        PageUp: () => nudge(e, NUDGE_BIG), PageDown: () => nudge(e, -NUDGE_BIG),
        ArrowRight: () => moveEdge(n + 1), ArrowLeft: () => moveEdge(n - 1),
        Home: () => moveEdge(0), End: () => moveEdge(edges.length - 1),
        Enter: () => openEdge(e), " ": () => openEdge(e),
      }[ev.key];
      if (!act) return;
      ev.preventDefault();
      act();
    });
  });
  attachUnits(openUnit);
}

function attachUnits(openUnit) {
  units = [];
  for (const g of net.svg.querySelectorAll(".node.hidden, .node.output")) {
    const l = +g.dataset.layer, k = +g.dataset.index;
    (units[l - 1] ??= []).push({ l, k, g });
  }
  units = units.filter(Boolean);
  const [c0, k0] = unitAt;
  unitAt = units[c0]?.[k0] ? [c0, k0] : [0, 0];
  units.forEach((col, c) => col.forEach((u, k) => {
    u.g.setAttribute("tabindex", c === unitAt[0] && k === unitAt[1] ? "0" : "-1");
    u.g.setAttribute("role", "button");
    u.g.setAttribute("aria-label", t("surgery.unit", { unit: u.k + 1, layer: u.l }));
    u.g.setAttribute("aria-describedby", "surgery-keys");
    u.g.addEventListener("focus", () => moveUnit(c, k, false));
    u.g.addEventListener("keydown", (ev) => {
      const to = {
        ArrowUp: [c, k - 1], ArrowDown: [c, k + 1], ArrowLeft: [c - 1, k], ArrowRight: [c + 1, k],
        Home: [c, 0], End: [c, col.length - 1],
      }[ev.key];
      if (to) {
        ev.preventDefault();
        moveUnit(to[0], to[1], true);
      } else if (["Enter", " ", "ContextMenu"].includes(ev.key) || (ev.key === "F10" && ev.shiftKey)) {
        ev.preventDefault();
        const r = u.g.getBoundingClientRect();
        openUnit(r.right, r.top, u.l, u.k, u.g);
      }
    });
  }));
}

function moveUnit(c, k, focus) {
  const col = Math.max(0, Math.min(units.length - 1, c));
  const idx = Math.max(0, Math.min(units[col].length - 1, k));
  units[unitAt[0]]?.[unitAt[1]]?.g.setAttribute("tabindex", "-1");
  unitAt = [col, idx];
  const u = units[col][idx];
  u.g.setAttribute("tabindex", "0");
  if (focus) u.g.focus();
}

on("drawn", (f) => {
  if (pending && f?.state !== "paused") pending = null; // training moved on: the frame rules
  if (pending) {
    const w = weightOf(pending.l, pending.i, pending.j);
    const seen = pending.waiting.findIndex((v) => shows(w, v));
    if (seen >= 0) pending.waiting.splice(0, seen + 1); // that edit's paused frame
    else if (!pending.waiting.length && !shows(w, pending.value)) pending = null;
  }
  const e = edges[edgeAt];
  if (e && document.activeElement === e.hit) label(e);
});
on("lang:changed", () => {
  if (!net) return;
  edges[0]?.hit.parentNode?.setAttribute("aria-label", t("surgery.edges"));
  edges.forEach(name);
  for (const col of units) {
    for (const u of col) u.g.setAttribute("aria-label", t("surgery.unit", { unit: u.k + 1, layer: u.l }));
  }
  label(edges[edgeAt]);
});
