// Leading the class: the push form (one config key and its value, from the catalogue's
// bounds), the lock list (a checkbox per key) and the lesson picker.
import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);
const label = (key) => t(`field.${key}.label`, null, key);
// The keys a teacher most often sets, first in the lists.
const FIRST = ["learning_rate", "activation", "hidden_layers", "dataset", "batch_size", "optimizer", "noise", "l2"];

function orderKeys(fields) {
  const keys = Object.keys(fields);
  return [...FIRST.filter((k) => keys.includes(k)), ...keys.filter((k) => !FIRST.includes(k))];
}

/** The value input for field `f` of the catalogue. */
function valueInput(key, f) {
  let el;
  if (f.kind === "choice") {
    el = document.createElement("select");
    for (const o of f.options) {
      const opt = new Option(t(`option.${o}`, null, f.labels?.[o] ?? o), o);
      el.append(opt);
    }
  } else if (f.kind === "float" || f.kind === "int") {
    el = document.createElement("input");
    el.type = "number";
    el.min = f.min;
    el.max = f.max;
    el.step = f.kind === "int" ? 1 : "any";
  } else {
    el = document.createElement("input");
    el.type = "text";
    el.placeholder = f.kind === "layers" ? "4,4" : "x1,x2";
  }
  el.id = "push-value";
  el.dataset.testid = "push-value";
  el.setAttribute("aria-label", t("teach.push_value", { field: label(key) }));
  const d = f.default;
  el.value = Array.isArray(d) ? d.map((x) => (typeof x === "object" ? x.id : x)).join(",") : d;
  return el;
}

/** The value the push form holds now, typed as the field wants. */
function readValue(f, raw) {
  if (f.kind === "float" || f.kind === "int") return raw === "" ? null : Number(raw);
  if (f.kind === "layers") return raw.trim() === "" ? [] : raw.split(/[\s,]+/).filter(Boolean).map(Number);
  if (f.kind === "features") return raw.split(/[\s,]+/).filter(Boolean);
  return raw;
}

export function buildLead(catalogue, lessons, { push, lock, lesson }) {
  const fields = catalogue.fields;
  const keys = orderKeys(fields);
  const pick = $("push-key");
  pick.replaceChildren(...keys.map((k) => new Option(label(k), k)));
  const showValue = () => $("push-value-box").replaceChildren(valueInput(pick.value, fields[pick.value]));
  pick.onchange = showValue;
  showValue();
  $("btn-push").onclick = () => {
    const key = pick.value;
    push({ [key]: readValue(fields[key], $("push-value").value) });
  };

  $("lock-list").replaceChildren(...keys.map((k) => {
    const row = document.createElement("label");
    row.className = "lock-item";
    row.innerHTML = `<input type="checkbox" data-testid="lock-${k}" value="${k}"> <span>${label(k)}</span>`;
    row.querySelector("input").onchange = (e) => lock(k, e.target.checked);
    return row;
  }));

  $("lesson-pick").replaceChildren(
    new Option(t("teach.lesson_none"), ""),
    ...lessons.map((l) => new Option(t(`lesson.${l.id}.title`, null, l.id), l.id)),
  );
  $("btn-lesson").onclick = () => lesson($("lesson-pick").value || null);
}

/** Tick the lock boxes of the locked keys. */
export function showLocks(fields) {
  for (const box of document.querySelectorAll("#lock-list input")) {
    box.checked = fields.includes(box.value);
    box.closest(".lock-item").classList.toggle("on", box.checked);
  }
}
