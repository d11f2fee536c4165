// Controls built from hello.catalogue: bounds, options and defaults come from the server only.
import { configure, datasetInfo, emit, field, on, presetKey, state } from "./state.js";
import { drawPreviewLater } from "./preview.js";
import { t } from "./i18n.js";

// Where each config key goes (layout only). Keys the server adds later land in "net-controls".
const PLACE = {
  learning_rate: "top-controls", activation: "top-controls", loss: "top-controls",
  optimizer: "top-controls",
  n_samples: "data-controls", noise: "data-controls", train_fraction: "data-controls",
  classes: "data-controls", batch_size: "data-controls", seed: "data-controls",
};
const SPECIAL = new Set(["dataset", "features", "hidden_layers"]);
// An option's English name as the catalogue labels it (field.labels), else the name with spaces.
export const pretty = (v, f) => f?.labels?.[v] ?? String(v).replace(/_/g, " ");
// Words by key (static/i18n/*.json); the catalogue's English is the fallback for new keys.
export const optionLabel = (v, f = null) => t(`option.${v}`, null, pretty(v, f));
export const fieldLabel = (key) => t(`field.${key}.label`, null, state.catalogue?.fields?.[key]?.label ?? pretty(key));
const fieldHelp = (key, f) => t(`field.${key}.help`, null, f.help ?? "");
const dsLabel = (info) => t(`dataset.${info.name}.label`, null, info.label ?? info.name);
const dsHelp = (info) => t(`dataset.${info.name}.description`, null, info.description ?? "");

const widgets = new Map(); // key -> {set(value), el}
// ~7 % per notch: an arrow key press always changes the value (a finer slider rounded
// back to where it was), and 3 significant digits keep every notch distinct.
const LOG_STEPS = 200;

function niceRound(v) {
  return v === 0 ? 0 : +v.toPrecision(3);
}

function logScale(f) {
  const lo = f.min > 0 ? f.min : f.max / 1e5;
  const a = Math.log10(lo), b = Math.log10(f.max);
  return {
    toPos: (v) => (v <= 0 ? 0 : Math.round(((Math.log10(Math.max(v, lo)) - a) / (b - a)) * LOG_STEPS)),
    toVal: (p) => {
      if (p <= 0 && f.min <= 0) return 0;
      const v = niceRound(10 ** (a + (p / LOG_STEPS) * (b - a)));
      return Math.min(f.max, Math.max(f.min, f.kind === "int" ? Math.round(v) : v));
    },
  };
}

function showValue(key, v) {
  if (key === "train_fraction") return `${Math.round(v * 100)}%`;
  // Three significant digits: β₂ = 0.999 must not read 1.00.
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(+v.toPrecision(3));
  return String(v);
}

function shell(key, f) {
  const wrap = document.createElement("div");
  wrap.className = `control kind-${f.kind}`;
  wrap.dataset.key = key;
  wrap.dataset.testid = `control-${key}`;
  const label = document.createElement("label");
  label.htmlFor = `cfg-${key}`;
  label.textContent = fieldLabel(key);
  const help = fieldHelp(key, f);
  if (help) wrap.title = help;
  wrap.append(label);
  return wrap;
}

function errorSlot(wrap, key) {
  const e = document.createElement("div");
  e.className = "field-error";
  e.dataset.errorFor = key;
  wrap.append(e);
}

// Live fields follow the slider as it moves; structural ones wait for the release.
function sender(key, f) {
  let t = null;
  return (v, final) => {
    clearTimeout(t);
    if (f.live === false && !final) return;
    if (final) configure({ [key]: v });
    else t = setTimeout(() => configure({ [key]: v }), 60);
  };
}

function numberWidget(key, f) {
  const wrap = shell(key, f);
  const out = document.createElement("output");
  out.className = "value";
  out.dataset.testid = `value-${key}`;
  wrap.querySelector("label").append(" ", out);
  const input = document.createElement("input");
  input.id = `cfg-${key}`;
  input.dataset.testid = `cfg-${key}`;
  const go = sender(key, f);
  let set;
  if (f.kind === "int" && !f.log && f.max - f.min > 10000) {
    input.type = "number";
    Object.assign(input, { min: f.min, max: f.max, step: 1 });
    input.addEventListener("change", () => go(Number(input.value), true));
    set = (v) => { input.value = v; out.textContent = ""; };
  } else if (f.log) {
    const s = logScale(f);
    Object.assign(input, { type: "range", min: 0, max: LOG_STEPS, step: 1 });
    input.addEventListener("input", () => { const v = s.toVal(+input.value); out.textContent = showValue(key, v); go(v, false); });
    input.addEventListener("change", () => go(s.toVal(+input.value), true));
    set = (v) => { input.value = s.toPos(v); out.textContent = showValue(key, v); };
  } else {
    const step = f.step ?? (f.kind === "int" ? 1 : niceRound((f.max - f.min) / 100) || 0.01);
    Object.assign(input, { type: "range", min: f.min, max: f.max, step });
    const val = () => (f.kind === "int" ? Math.round(+input.value) : +(+input.value).toPrecision(6));
    input.addEventListener("input", () => { out.textContent = showValue(key, val()); go(val(), false); });
    input.addEventListener("change", () => go(val(), true));
    set = (v) => { input.value = v; out.textContent = showValue(key, v); };
  }
  wrap.append(input);
  errorSlot(wrap, key);
  return { el: wrap, set };
}

function choiceWidget(key, f) {
  const wrap = shell(key, f);
  const sel = document.createElement("select");
  sel.id = `cfg-${key}`;
  sel.dataset.testid = `cfg-${key}`;
  for (const o of f.options) sel.add(new Option(optionLabel(o, f), o));
  sel.addEventListener("change", () => configure({ [key]: sel.value }));
  wrap.append(sel);
  errorSlot(wrap, key);
  return { el: wrap, set: (v) => { sel.value = v; } };
}

function boolWidget(key, f) {
  const wrap = shell(key, f);
  const cb = document.createElement("input");
  cb.type = "checkbox";
  cb.id = `cfg-${key}`;
  cb.addEventListener("change", () => configure({ [key]: cb.checked }));
  wrap.prepend(cb);
  errorSlot(wrap, key);
  return { el: wrap, set: (v) => { cb.checked = !!v; } };
}

function featuresWidget(key, f) {
  const wrap = document.createElement("div");
  wrap.className = "features";
  wrap.dataset.testid = "features";
  const chips = new Map();
  for (const o of f.options) {
    const b = document.createElement("button");
    b.className = "chip";
    b.textContent = o.label ?? o.id;
    b.dataset.feature = o.id;
    b.dataset.testid = `feature-${o.id}`;
    b.addEventListener("click", () => {
      const cur = new Set(state.config.features ?? []);
      if (cur.has(o.id)) cur.delete(o.id);
      else cur.add(o.id);
      const ordered = f.options.map((x) => x.id).filter((id) => cur.has(id));
      configure({ features: ordered });
    });
    chips.set(o.id, b);
    wrap.append(b);
  }
  errorSlot(wrap, key);
  const set = (v) => {
    const on_ = new Set(v ?? []);
    for (const [id, b] of chips) b.classList.toggle("on", on_.has(id));
  };
  return { el: wrap, set };
}

function datasetPicker(f) {
  const box = document.getElementById("dataset-picker");
  box.replaceChildren();
  const tiles = new Map();
  for (const name of f.options) {
    const info = datasetInfo(name) ?? { name, label: pretty(name), preview: [] };
    const b = document.createElement("button");
    b.className = "tile";
    b.dataset.dataset = name;
    b.dataset.testid = `dataset-${name}`;
    b.title = dsHelp(info) ? `${dsLabel(info)}: ${dsHelp(info)}` : dsLabel(info);
    const c = document.createElement("canvas");
    c.width = c.height = 64;
    drawPreviewLater(c, info);
    const cap = document.createElement("span");
    cap.dataset.testid = "tile-label";
    cap.textContent = dsLabel(info);
    b.append(c, cap);
    // Crossing between kinds of problem (points, values, curves, digits) brings the
    // catalogue's preset network along: a 2-4-4-2 tanh net cannot read digits, and a
    // real-valued target needs mse.
    b.addEventListener("click", () => {
      const kind = presetKey(name);
      const current = presetKey(state.config.dataset);
      const preset = kind !== current ? state.hello?.catalogue?.presets?.[kind] : null;
      configure({ dataset: name, ...(preset ?? {}) });
    });
    tiles.set(name, b);
    box.append(b);
  }
  const err = document.createElement("div");
  err.className = "field-error";
  err.dataset.errorFor = "dataset";
  box.append(err);
  return { el: box, set: (v) => { for (const [n, t] of tiles) t.classList.toggle("on", n === v); } };
}

/** Build every control from the catalogue. Safe to call again on reconnect. */
export function buildControls() {
  const fields = state.catalogue.fields;
  widgets.clear();
  for (const id of ["top-controls", "data-controls", "net-controls", "features-box"]) {
    const el = document.getElementById(id);
    if (el) el.replaceChildren();
  }
  if (fields.dataset) widgets.set("dataset", datasetPicker(fields.dataset));
  for (const [key, f] of Object.entries(fields)) {
    if (key === "dataset" || key === "hidden_layers") continue;
    let w;
    if (key === "features" || f.kind === "features") w = featuresWidget(key, f);
    else if (f.kind === "choice") w = choiceWidget(key, f);
    else if (f.kind === "bool") w = boolWidget(key, f);
    else if (f.kind === "int" || f.kind === "float") w = numberWidget(key, f);
    else continue;
    widgets.set(key, w);
    const where = key === "features" ? "features-box" : (PLACE[key] ?? "net-controls");
    document.getElementById(where).append(w.el);
  }
  setControlValues();
}

/** Show state.config in every control, and hide what does not apply. */
export function setControlValues() {
  for (const [key, w] of widgets) {
    if (key in state.config && !SPECIAL.has(key)) w.set(state.config[key]);
  }
  widgets.get("dataset")?.set(state.config.dataset);
  widgets.get("features")?.set(state.config.features);
  updateRelevance();
}

function updateRelevance() {
  const fields = state.catalogue?.fields ?? {};
  for (const [key, w] of widgets) {
    const when = fields[key]?.when; // e.g. momentum: {optimizer: ["momentum", "nesterov"]}
    let show = true;
    if (when) show = Object.entries(when).every(([k, vals]) => vals.includes(state.config[k]));
    if (key === "classes") show = !!datasetInfo(state.config.dataset)?.uses_classes;
    if (key === "features" || key === "noise" || key === "n_samples") {
      // Digits have fixed pixels and count; uploaded data is used as it came.
      show = datasetInfo(state.config.dataset)?.kind !== "image" && state.dataset?.kind !== "image"
        && state.config.dataset !== "custom";
    }
    if (key === "features" && (datasetInfo(state.config.dataset)?.kind ?? state.dataset?.kind) === "1d") {
      show = false; // one input, x: nothing to combine
    }
    w.el.hidden = !show;
    if (key === "classes" && show) {
      const r = datasetInfo(state.config.dataset)?.classes_range;
      const input = w.el.querySelector("input");
      if (r && input) { input.min = r[0]; input.max = r[1]; }
    }
  }
  emit("controls:relevance");
}

on("config:changed", setControlValues);
on("lang:changed", () => { if (state.catalogue) buildControls(); });
on("dataset", updateRelevance);
export { field };
