// Config in the URL hash: only keys that differ from the defaults, e.g.
// #dataset=spiral&hidden_layers=8,8&learning_rate=0.01. Opening such a link restores it.
// The defaults are the catalogue's, with the preset of the data's kind on top: #dataset=mnist
// alone means MNIST with the network the dataset picker would give it.
import { configure, datasetInfo, presetKey, state } from "./state.js";
import { i18n } from "./i18n.js";
import { decodeLayer, encodeLayer } from "./layer_settings.js";
import { PAGE_KEYS } from "./socket.js";

export { PAGE_KEYS }; // keys of the page, not of the training config: never sent
// The lesson shown (lessons.js); read now, so the first writeHash keeps a linked lesson.
export const page = { lesson: new URLSearchParams(location.hash.replace(/^#/, "")).get("lesson") };

/** Defaults a link is written against, for the given dataset. */
export function baseConfig(dataset) {
  const fields = state.catalogue?.fields ?? {};
  const out = {};
  for (const [k, f] of Object.entries(fields)) if ("default" in f) out[k] = f.default;
  const kind = presetKey(dataset);
  const defaultKind = presetKey(out.dataset);
  if (kind !== defaultKind) Object.assign(out, state.catalogue?.presets?.[kind] ?? {});
  return out;
}

/** A config value as a link writes it: lists comma-separated (a layer with settings in its
 * "8:relu:bn" form), an object field (lr_schedule, stop_at, early_stopping) as its JSON. */
export function encode(v) {
  if (Array.isArray(v)) {
    return v.map((x) => (x !== null && typeof x === "object" ? encodeLayer(x) : x)).join(",");
  }
  return v !== null && typeof v === "object" ? JSON.stringify(v) : String(v);
}

function same(a, b) {
  return encode(a) === encode(b);
}

/** Parse the hash into typed config values using the catalogue kinds. Unknown keys are kept
 * as strings so the server can name them in an error. */
export function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fields = state.catalogue?.fields ?? {};
  const out = {};
  for (const [k, raw] of params) {
    if (PAGE_KEYS.includes(k)) continue;
    const f = fields[k];
    if (!f) { out[k] = raw; continue; }
    if (f.kind === "layers") out[k] = raw === "" ? [] : raw.split(",").map(decodeLayer);
    else if (f.kind === "features") out[k] = raw === "" ? [] : raw.split(",");
    else if (f.kind === "int" || f.kind === "float") out[k] = Number(raw);
    else if (f.kind === "bool") out[k] = raw === "true" || raw === "1";
    else if (f.kind === "object") {
      try { out[k] = JSON.parse(raw); } catch { out[k] = raw; } // the server names a bad one
    }
    else out[k] = raw;
  }
  return out;
}

/** Bring the session to the hash's config: the defaults (with the data kind's preset), then
 * the hash on top; only what differs from the current config is sent. */
export function applyHash() {
  const hash = readHash();
  const wanted = { ...baseConfig(hash.dataset ?? state.config.dataset), ...hash };
  const diff = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (JSON.stringify(state.config[k]) !== JSON.stringify(v)) diff[k] = v;
  }
  if (Object.keys(diff).length) configure(diff);
  writeHash();
}

/** Write the non-default part of state.config into the hash (no history entry). */
export function writeHash() {
  const fields = state.catalogue?.fields ?? {};
  const base = baseConfig(state.config.dataset);
  const params = new URLSearchParams();
  if (page.lesson) params.set("lesson", page.lesson);
  if (i18n.explicit) params.set("lang", i18n.lang);
  for (const [k, v] of Object.entries(state.config)) {
    const f = fields[k];
    if (!f || v === undefined || v === null) continue;
    if (k in base && same(v, base[k])) continue;
    params.set(k, encode(v));
  }
  const s = params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
  const url = `${location.pathname}${location.search}${s ? `#${s}` : ""}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
}
