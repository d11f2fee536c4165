// A hidden layer's own settings (activation, norm, dropout, residual): its URL form, its marks
// on the network diagram, and the editor a click on the layer's header opens.
//
// A hidden_layers entry is a width (8) or {units, activation, norm, dropout, residual}
// (activation null: the config's). In the URL a layer is "8" or "8:relu:bn:d0.2:res".
import { configure, field, state } from "./state.js";
import { t } from "./i18n.js";

const NS = "http://www.w3.org/2000/svg";
const NORM_CODE = { batch: "bn", layer: "ln" };

export const units = (e) => (e !== null && typeof e === "object" ? e.units : e);

/** Every setting of an entry, defaults filled in. */
export function settings(e) {
  if (e !== null && typeof e === "object") return { activation: null, norm: "none", dropout: 0, residual: false, ...e };
  return { units: e, activation: null, norm: "none", dropout: 0, residual: false };
}

/** The entry as the server stores it: a plain layer is its width. */
function canonical(s) {
  const plain = !s.activation && s.norm === "none" && !s.dropout && !s.residual;
  return plain ? s.units : { ...s };
}

export function encodeLayer(e) {
  const s = settings(e);
  const parts = [String(s.units)];
  if (s.activation) parts.push(s.activation);
  if (s.norm !== "none") parts.push(NORM_CODE[s.norm]);
  if (s.dropout) parts.push(`d${s.dropout}`);
  if (s.residual) parts.push("res");
  return parts.join(":");
}

export function decodeLayer(token) {
  const [head, ...rest] = token.split(":");
  if (!rest.length) return Number(head);
  const s = settings(Number(head));
  for (const p of rest) {
    if (p === "bn") s.norm = "batch";
    else if (p === "ln") s.norm = "layer";
    else if (p === "res") s.residual = true;
    else if (/^d[0-9.]+$/.test(p)) s.dropout = Number(p.slice(1));
    else s.activation = p; // an unknown name: the server names it in its error
  }
  return canonical(s);
}

/** A short description for a layer's header: "BN · drop 0.5 · skip". */
export function badges(e) {
  const s = settings(e);
  const out = [];
  if (s.activation) out.push(s.activation);
  if (s.norm !== "none") out.push(t(`layer.norm_${s.norm}_short`));
  if (s.dropout) out.push(t("layer.dropout_short", { p: s.dropout }));
  if (s.residual) out.push(t("layer.residual_short"));
  return out.join(" · ");
}

function setLayer(i, change) {
  const layers = state.config.hidden_layers ?? [];
  const next = layers.map((e, j) => (j === i ? canonical({ ...settings(e), ...change }) : e));
  configure({ hidden_layers: next });
}

/** Set the units of layer i, keeping its other settings. */
export function withUnits(e, n) {
  return canonical({ ...settings(e), units: n });
}

// ---- the editor --------------------------------------------------------------------------
let editor = null; // {box, index, opener}

export function closeLayerEditor() {
  if (!editor) return;
  editor.box.remove();
  editor.opener?.focus?.();
  editor = null;
}

/** Open the settings of hidden layer i (0-based) beside `opener`, the header clicked. */
export function openLayerEditor(i, opener) {
  closeLayerEditor();
  const f = field("hidden_layers")?.layer;
  if (!f) return;
  const s = settings(state.config.hidden_layers[i]);
  const box = document.createElement("div");
  box.className = "layer-editor";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", t("layer.editor_title", { l: i + 1 }));
  box.dataset.testid = "layer-editor";
  const row = (label, control) => {
    const l = document.createElement("label");
    l.append(label, control);
    box.append(l);
    return control;
  };
  const head = document.createElement("h4");
  head.textContent = t("layer.editor_title", { l: i + 1 });
  box.append(head);
  const select = (name, options, value, labelOf) => {
    const el = document.createElement("select");
    el.dataset.testid = `layer-${name}`;
    for (const o of options) el.add(new Option(labelOf(o), o ?? "", false, (o ?? "") === (value ?? "")));
    return el;
  };
  const act = row(t("layer.activation"), select("activation", [null, ...f.activation], s.activation,
    (o) => (o ? o : t("layer.activation_default", { a: state.config.activation }))));
  act.addEventListener("change", () => setLayer(i, { activation: act.value || null }));
  const norm = row(t("layer.norm"), select("norm", f.norm, s.norm, (o) => t(`layer.norm_${o}`)));
  norm.addEventListener("change", () => setLayer(i, { norm: norm.value }));
  const drop = document.createElement("input");
  Object.assign(drop, { type: "range", min: f.dropout.min, max: f.dropout.max, step: f.dropout.step, value: s.dropout });
  drop.dataset.testid = "layer-dropout";
  const out = document.createElement("output");
  out.textContent = s.dropout;
  row(t("layer.dropout"), drop).after(out);
  drop.addEventListener("input", () => { out.textContent = drop.value; });
  drop.addEventListener("change", () => setLayer(i, { dropout: Number(drop.value) }));
  const res = document.createElement("input");
  res.type = "checkbox";
  res.checked = s.residual;
  res.dataset.testid = "layer-residual";
  row(t("layer.residual"), res);
  res.addEventListener("change", () => setLayer(i, { residual: res.checked }));
  const close = document.createElement("button");
  close.textContent = t("layer.close");
  close.dataset.testid = "layer-editor-close";
  close.addEventListener("click", closeLayerEditor);
  box.append(close);
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); closeLayerEditor(); } });
  const at = opener.getBoundingClientRect();
  Object.assign(box.style, { left: `${Math.max(4, at.left + window.scrollX)}px`, top: `${at.bottom + window.scrollY + 4}px` });
  document.body.append(box);
  editor = { box, index: i, opener };
  act.focus();
}

// ---- marks on the diagram ------------------------------------------------------------------
/** Draw each hidden layer's settings on the network diagram `net` (drawNetwork's handle):
 * a badge under the column (norm, dropout p), dashed units where dropout drops them, and a
 * skip arrow into a residual layer. Redrawn from scratch on every call. */
export function markLayers(net, layers) {
  if (!net) return;
  net.svg.querySelector("g.layer-marks")?.remove();
  const g = document.createElementNS(NS, "g");
  g.setAttribute("class", "layer-marks");
  net.svg.append(g);
  const add = (name, attrs, text) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    g.append(e);
    return e;
  };
  // Below each column (the header above it already names the settings in words), a badge;
  // a residual layer's skip runs between the badges, from its input column into it.
  const H = net.svg.viewBox.baseVal.height;
  const halfWidth = [0]; // per column: half the width of its badge (none: 0)
  const bottomOf = (col) => col[col.length - 1].y + net.nodeSize / 2;
  (layers ?? []).forEach((entry, i) => {
    const s = settings(entry);
    const col = net.nodes[i + 1];
    halfWidth[i + 1] = 0;
    if (!col?.length) return;
    for (const nd of col) nd.g?.classList.toggle("dropout", !!s.dropout);
    const words = [];
    if (s.norm !== "none") words.push(t(`layer.norm_${s.norm}_short`));
    if (s.dropout) words.push(`p=${s.dropout}`);
    if (words.length) {
      const badge = add("text", { x: net.columnX(i + 1), y: Math.min(H - 3, bottomOf(col) + 12),
        "text-anchor": "middle", class: "norm-badge", "data-testid": `layer-mark-${i}` }, words.join(" "));
      halfWidth[i + 1] = (badge.getBBox?.().width ?? 0) / 2;
    }
  });
  (layers ?? []).forEach((entry, i) => {
    const col = net.nodes[i + 1];
    if (!settings(entry).residual || !col?.length) return;
    const x0 = net.columnX(i) + halfWidth[i] + 4, x = net.columnX(i + 1) - halfWidth[i + 1] - 4;
    const y = Math.min(H - 6, bottomOf(col) + 8);
    add("path", { d: `M${x0},${y} Q${(x0 + x) / 2},${y + 6} ${x},${y}`,
      class: "skip-arrow", "marker-end": "url(#skip-head)", "data-testid": `skip-arrow-${i}` });
  });
  if (!net.svg.querySelector("#skip-head")) {
    const defs = document.createElementNS(NS, "defs");
    defs.innerHTML = '<marker id="skip-head" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="skip-head"/></marker>';
    net.svg.prepend(defs);
  }
}
