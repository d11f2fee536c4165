// Errors next to their control (error.field), toasts, divergence and connection banners.
import { on, send, state } from "./state.js";
import { fieldLabel, setControlValues } from "./controls.js";
import { has, i18n, t } from "./i18n.js";

/** A server error or status note in the page's language: rendered from its stable `code` and
 * `params` by the "error.<code>" / "status.<code>" string when there is one, else the server's
 * English `message`. */
export function errorText(e, fallback = "", kind = "error") {
  const p = e?.params ?? {};
  // A variant of the string when the params call for one (a list's length, an open bound).
  const variant = p.of ?? (p.min === null || p.min === undefined ? "at_most"
    : p.max === null || p.max === undefined ? "at_least" : "");
  const key = [`${kind}.${e?.code}.${variant}`, `${kind}.${e?.code}`].find((k) => e?.code && has(k));
  if (key && (i18n.lang !== "en" || !e.message)) {
    const params = {};
    for (const [k, v] of Object.entries(p)) {
      if (v === null || v === undefined) continue;
      // option names (sigmoid, leaky_relu) are shown by their labels, in the page's language
      params[k] = Array.isArray(v) ? v.join(", ") : k === "expected" ? t(`type.${v}`, null, v)
        : k === "activation" ? t(`option.${v}`, null, v) : v;
    }
    params.field = e.field ? fieldLabel(e.field) : "";
    const s = t(key, params);
    if (!/\{\w+\}/.test(s)) return s; // a parameter the server did not send: use its words
  }
  return e?.message || fallback || e?.code || t("error.generic");
}

/** POST `file` as a form to this session's route ("upload", "run"). Resolves to null when
 * taken, else to the app's error ({code, field, message, params}) with the HTTP `status`;
 * rejects when the request could not be made. */
export async function postToSession(route, file) {
  const body = new FormData();
  body.append("file", file);
  const url = `/api/sessions/${encodeURIComponent(state.session)}/${route}`;
  const res = await fetch(url, { method: "POST", body });
  if (res.ok) return null;
  let err = {};
  try { err = (await res.json()).error ?? {}; } catch { /* not JSON */ }
  return { ...err, status: res.status };
}

const FADE_MS = 7000;

export function toast(message, kind = "error") {
  const box = document.getElementById("toasts");
  const t = document.createElement("div");
  t.className = `toast ${kind}`;
  t.dataset.testid = "toast";
  t.textContent = message;
  t.addEventListener("click", () => t.remove());
  box.append(t);
  setTimeout(() => t.classList.add("fading"), FADE_MS - 800);
  setTimeout(() => t.remove(), FADE_MS);
}

/** Show an error beside the control for `fieldName`; falls back to a toast. */
export function showError(fieldName, message, englishNote = null) {
  const slots = fieldName
    ? [...document.querySelectorAll(`[data-error-for="${CSS.escape(fieldName)}"]`)].filter(
      (s) => s.offsetParent !== null || s.closest("[hidden]") === null)
    : [];
  const slot = slots[0];
  if (!slot) {
    toast(fieldName ? `${fieldLabel(fieldName)}: ${message}` : message);
    return;
  }
  slot.textContent = message;
  slot.title = englishNote ?? "";
  slot.classList.add("shown");
  slot.dataset.testid = "field-error";
  slot.closest(".control")?.classList.add("has-error");
  clearTimeout(slot._timer);
  slot._timer = setTimeout(() => {
    slot.classList.remove("shown");
    slot.closest(".control")?.classList.remove("has-error");
  }, FADE_MS);
}

// The server refused a change: put the control back to what the session still has.
const pendingKeys = [];
on("config:changed", ({ partial, previous }) => {
  pendingKeys.push({ keys: Object.keys(partial), previous });
  if (pendingKeys.length > 50) pendingKeys.shift();
});

on("error", (e) => {
  if (e.field && e.field in state.config) {
    const rec = [...pendingKeys].reverse().find((p) => p.keys.includes(e.field));
    if (rec && rec.previous[e.field] !== undefined) {
      state.config[e.field] = rec.previous[e.field];
      setControlValues();
    }
  }
  showError(e.field, errorText(e), i18n.lang === "en" ? null : e.message); // English on hover
});

on("status", (s) => {
  const banner = document.getElementById("banner-diverged");
  if (s.state === "diverged") {
    document.getElementById("diverged-msg").textContent =
      s.code || i18n.lang === "en" ? errorText(s, t("banner.diverged"), "status") : t("banner.diverged");
    document.getElementById("diverged-msg").title = i18n.lang === "en" ? "" : s.message ?? "";
    banner.hidden = false;
  } else banner.hidden = true;
});

// A stuck network (a dead or saturated layer, a stalled loss at chance) is named once per
// episode; the banner stays until the run changes, a Reset, or the user dismisses it.
on("status", (s) => {
  const banner = document.getElementById("banner-stuck");
  if (["dead_layer", "saturated_layer", "stalled"].includes(s.code)) {
    document.getElementById("stuck-msg").textContent = errorText(s, "", "status");
    banner.hidden = false;
  } else if (s.rebuilt || s.state === "diverged") banner.hidden = true;
});
document.getElementById("btn-stuck-reset").addEventListener("click", () => {
  send({ type: "reset" });
  document.getElementById("banner-stuck").hidden = true;
});
document.getElementById("btn-stuck-close").addEventListener("click", () => {
  document.getElementById("banner-stuck").hidden = true;
});

on("conn:lost", ({ delay }) => {
  document.getElementById("banner-conn").hidden = false;
  document.getElementById("conn-retry").textContent = t("banner.conn_retry", { s: Math.ceil(delay / 1000) });
});
on("hello", (h) => {
  document.getElementById("banner-conn").hidden = true;
  if (h.resumed) toast(t("banner.resumed", { step: h.resumed.step }), "info");
});
// The server could not save a checkpoint (a full or read-only folder): said once; and once
// again when it saves them again (it retries: a freed disk brings them back).
on("status", (s) => {
  if (s.code === "checkpoints_off" || s.code === "checkpoints_on") toast(errorText(s, "", "status"), "info");
});

document.getElementById("btn-diverged-reset").addEventListener("click", () => {
  send({ type: "reset" });
  document.getElementById("banner-diverged").hidden = true;
});
