// Take the run home: export the script, save / open runs, the curves as CSV, pinned runs.
import { on, send, state } from "./state.js";
import { postToSession, toast } from "./feedback.js";
import { loadHistory, setPinTraces } from "./curves.js";
import { i18n, t } from "./i18n.js";
import { fieldLabel, optionLabel } from "./controls.js";

const $ = (id) => document.getElementById(id);
export const PIN_COLORS = ["#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Offer `content` as a file download named `filename`. */
export function download(filename, content, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const TYPES = { script: "text/x-python", run: "application/json", history: "text/csv" };
const exporter = (format) => () => send({ type: "export", format });

on("export", (msg) => {
  download(msg.filename, msg.content, TYPES[msg.format] ?? "text/plain");
  toast(t("io.saved", { file: msg.filename, step: msg.step }), "info");
});

$("btn-export-script").addEventListener("click", exporter("script"));
$("btn-save").addEventListener("click", exporter("run"));
$("btn-history").addEventListener("click", exporter("history"));
$("btn-pin").addEventListener("click", () => send({ type: "pin" }));

// Open: any size goes over HTTP (a socket message holds 64 KB); the socket then brings the
// dataset, the status and a frame at the saved step.
$("open-run").addEventListener("change", async (e) => {
  const file = e.target.files?.[0];
  e.target.value = "";
  if (!file || !state.session) return;
  try {
    const err = await postToSession("run", file);
    if (err) toast(t("io.open_failed", { file: file.name, message: err.message ?? `HTTP ${err.status}` }));
  } catch (err) {
    toast(t("io.open_failed", { file: file.name, message: err.message }));
  }
});

// An opened run brings its curves (status `opened` carries the history): draw them, say so.
on("status", (s) => {
  if (s.code !== "opened" || !s.history) return;
  loadHistory(s.history);
  toast(t("io.opened", { step: s.step, n: s.history.step.length }), "info");
});

// ---- pinned runs -----------------------------------------------------------------------------
function traces(pins) {
  const curves = [];
  const grads = [];
  pins.forEach((p, i) => {
    const color = PIN_COLORS[i % PIN_COLORS.length];
    const h = p.history;
    const group = `pin${i}`;
    const name = t("io.pin_legend", { label: label(p) });
    const base = { type: "scatter", mode: "lines", x: h.step, legendgroup: group, opacity: 0.8 };
    curves.push({ ...base, name, y: h.train_loss, line: { color, width: 1.5 } });
    curves.push({ ...base, name, y: h.test_accuracy ?? h.test_r2, yaxis: "y2", showlegend: false,
      line: { color, width: 1.2, dash: "dot" } });
    Object.keys(h).filter((k) => k.startsWith("grad_norm_")).forEach((k, l) => {
      grads.push({ ...base, name, y: h[k], showlegend: l === 0, line: { color, width: 1.2, dash: "dash" } });
    });
  });
  return { curves, grads };
}

/** What differs between a pin and the run now. English: the server's label ("relu vs tanh,
 * lr 0.3 vs 0.03"); other languages word it from the pin's config: field and option labels. */
function label(p) {
  if (p.label === "same settings") return t("io.same_settings");
  if (i18n.lang === "en" || !p.config) return p.label;
  const show = (v) => (Array.isArray(v) ? v.join(",") || "–" : typeof v === "string" ? optionLabel(v) : String(v));
  const parts = [];
  for (const [k, was] of Object.entries(p.config)) {
    const now = state.config[k];
    if (k === "speed" || JSON.stringify(now) === JSON.stringify(was)) continue;
    const vs = t("io.vs", { was: show(was), now: show(now) });
    parts.push(typeof was === "string" ? vs : `${fieldLabel(k)} ${vs}`);
  }
  return parts.slice(0, 3).join(", ") + (parts.length > 3 ? ` ${t("io.more", { n: parts.length - 3 })}` : "");
}

function renderChips(pins) {
  const box = $("pins");
  box.replaceChildren();
  box.hidden = pins.length === 0;
  pins.forEach((p, i) => {
    const chip = document.createElement("span");
    chip.className = "pin-chip";
    chip.dataset.testid = "pin-chip";
    chip.style.setProperty("--pin", PIN_COLORS[i % PIN_COLORS.length]);
    chip.title = t("io.pin_chip_title", { step: p.step, label: label(p) });
    const text = document.createElement("span");
    text.textContent = label(p);
    const x = document.createElement("button");
    x.className = "unpin";
    x.textContent = "×";
    x.title = t("io.unpin");
    x.setAttribute("aria-label", `${t("io.unpin")}: ${label(p)}`);
    x.addEventListener("click", () => send({ type: "unpin", index: p.index }));
    chip.append(text, x);
    box.append(chip);
  });
}

on("pins", (msg) => {
  state.pins = msg.pins;
  renderChips(msg.pins);
  setPinTraces(traces(msg.pins));
});

on("lang:changed", () => {
  if (!state.pins) return;
  renderChips(state.pins);
  setPinTraces(traces(state.pins));
});
