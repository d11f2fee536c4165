// Schedule and stopping: the config objects lr_schedule, stop_at and early_stopping
// (app/training/live/stopping.py) as a few inputs, their bounds from hello.catalogue. A change
// sends the whole object; an empty stop box means "not used" (null). The learning rate in
// force (the frame's) is shown beside the schedule.
import { configure, on, state } from "./state.js";
import { t } from "./i18n.js";
import { fmt } from "./grid.js";
import { errorText, toast } from "./feedback.js";

const $ = (id) => document.getElementById(id);
// Which schedule parts each kind reads (warm-up: all).
const USES = { constant: [], step: ["every", "gamma"], exponential: ["gamma"], cosine: ["epochs"] };
const inputs = {}; // "lr_schedule.gamma" -> <input>/<select>

function partField(obj, key) {
  return state.catalogue?.fields?.[obj]?.fields?.[key] ?? {};
}

function numberInput(obj, key, label) {
  const f = partField(obj, key);
  const wrap = document.createElement("label");
  wrap.className = "control sched-control";
  wrap.dataset.part = `${obj}.${key}`;
  const span = document.createElement("span");
  span.textContent = label;
  const input = document.createElement("input");
  input.type = "number";
  input.dataset.testid = `sched-${obj}-${key}`;
  if (f.min !== undefined) input.min = f.min;
  if (f.max !== undefined) input.max = f.max;
  input.step = f.kind === "int" ? "1" : "any";
  if (f.nullable) input.placeholder = t("sched.off");
  input.addEventListener("change", () => send(obj));
  inputs[`${obj}.${key}`] = input;
  wrap.append(span, input);
  const err = document.createElement("div");
  err.className = "field-error";
  err.dataset.errorFor = `${obj}.${key}`;
  wrap.append(err);
  return wrap;
}

function kindSelect() {
  const f = partField("lr_schedule", "kind");
  const wrap = document.createElement("label");
  wrap.className = "control sched-control";
  const span = document.createElement("span");
  span.textContent = t("sched.kind");
  const sel = document.createElement("select");
  sel.dataset.testid = "sched-kind";
  for (const k of f.options ?? []) {
    const o = document.createElement("option");
    o.value = k;
    o.textContent = t(`sched.kind.${k}`, null, k);
    sel.append(o);
  }
  sel.addEventListener("change", () => send("lr_schedule"));
  inputs["lr_schedule.kind"] = sel;
  wrap.append(span, sel);
  return wrap;
}

/** The object `obj` as the inputs say: numbers, null for an empty optional box. */
function read(obj) {
  const out = {};
  for (const [path, input] of Object.entries(inputs)) {
    const [o, key] = path.split(".");
    if (o !== obj) continue;
    if (key === "kind") { out.kind = input.value; continue; }
    const f = partField(o, key);
    if (input.value === "") out[key] = f.nullable ? null : f.default;
    else out[key] = f.kind === "int" ? Math.round(+input.value) : +input.value;
  }
  return out;
}

function send(obj) {
  configure({ [obj]: read(obj) });
}

function show(force = false) {
  for (const [path, input] of Object.entries(inputs)) {
    const [o, key] = path.split(".");
    const v = state.config?.[o]?.[key];
    if (force === true || document.activeElement !== input) input.value = v === null || v === undefined ? "" : String(v);
  }
  const kind = state.config?.lr_schedule?.kind ?? "constant";
  for (const el of document.querySelectorAll("#schedule-controls [data-part^='lr_schedule.']")) {
    const key = el.dataset.part.split(".")[1];
    el.hidden = key !== "warmup" && !USES[kind]?.includes(key);
  }
}

function build() {
  const box = $("schedule-controls");
  if (!box || !state.catalogue?.fields?.lr_schedule) return;
  for (const k of Object.keys(inputs)) delete inputs[k];
  const head = document.createElement("h4");
  head.textContent = t("sched.title");
  const rate = document.createElement("output");
  rate.id = "sched-rate";
  rate.className = "hint sched-rate";
  rate.dataset.testid = "sched-rate";
  const stop = document.createElement("p");
  stop.id = "sched-stop";
  stop.className = "hint sched-stop";
  stop.dataset.testid = "sched-stop";
  stop.hidden = true;
  box.replaceChildren(
    head,
    kindSelect(),
    numberInput("lr_schedule", "every", t("sched.every")),
    numberInput("lr_schedule", "gamma", t("sched.gamma")),
    numberInput("lr_schedule", "epochs", t("sched.epochs")),
    numberInput("lr_schedule", "warmup", t("sched.warmup")),
    rate,
    numberInput("stop_at", "epochs", t("sched.stop_epochs")),
    numberInput("stop_at", "loss", t("sched.stop_loss")),
    numberInput("stop_at", "accuracy", t("sched.stop_accuracy")),
    numberInput("early_stopping", "patience", t("sched.patience")),
    stop,
  );
  show();
}

on("hello", () => setTimeout(build, 0)); // after main.js has taken the catalogue
on("lang:changed", build);
on("config:changed", show);
// A refused part ("lr_schedule.gamma"): the session kept its object; show that one again.
const previous = {};
on("config:changed", ({ partial, previous: before }) => {
  for (const obj of ["lr_schedule", "stop_at", "early_stopping"]) if (obj in partial) previous[obj] = before[obj];
});
on("error", (e) => {
  const obj = e.field?.split(".")[0];
  if (obj in previous && previous[obj] !== undefined) {
    state.config[obj] = previous[obj];
    show(true);
  }
});
on("status", show);
// A stop says why, in a toast and on a line under the controls until the run goes on.
on("status", (s) => {
  const line = $("sched-stop");
  if (s.code === "stopped") {
    const text = errorText(s, "", "status");
    toast(text, "info");
    if (line) { line.textContent = text; line.hidden = false; }
  } else if (line && (s.state === "running" || s.rebuilt)) line.hidden = true;
});
on("frame", (f) => {
  const el = $("sched-rate");
  if (!el || f.learning_rate === undefined) return;
  let text = t("sched.rate_now", { lr: fmt(f.learning_rate) });
  // A schedule counts epochs, and a small dataset trains dozens a second: say when it has
  // decayed the rate to next to nothing, or learning seems to stop for no reason.
  const base = state.config.learning_rate;
  if (base > 0 && f.learning_rate < 0.01 * base) text += ` ${t("sched.rate_spent", { base: fmt(base) })}`;
  el.textContent = text;
  el.classList.toggle("warn", base > 0 && f.learning_rate < 0.01 * base);
});
