// The teacher page (/teach): open a class, show its join code and QR code big, see every
// student's run (roster.js), lead them (lead.js) and spotlight one (spotlight.js).
// The class's code and teacher key live in sessionStorage: a reload takes the class back.
import { applyI18n, initLangSwitch, t } from "../i18n.js";
import { on as onPage } from "../state.js";
import { connect, on, send } from "./socket.js";
import { clearRoster, drawRoster } from "./roster.js";
import { buildLead, showLocks } from "./lead.js";
import { closeSpotlight, openSpotlight } from "./spotlight.js";

const $ = (id) => document.getElementById(id);
const STORE = "bp-teach"; // sessionStorage: {code, key} of this tab's class

const teach = {
  cls: null,        // the latest `class` message: code, key, title, max_students, locked...
  catalogue: null,  // from hello: fields and their bounds (the push form)
  lessons: [],      // GET /api/lessons
  students: [],     // the latest roster
  built: false,     // the lead controls are built (after hello and the lessons)
  proposed: null,   // the code this socket was routed by, offered to class_open
  online: false,    // hello came on this socket: "Open class" can be sent (a click before was lost)
};

function stored() {
  try { return JSON.parse(sessionStorage.getItem(STORE) ?? "null"); } catch { return null; }
}

/** A code for the class to open: routing by code takes the teacher where students go. */
function proposeCode() {
  const abc = document.body.dataset.alphabet;
  const pick = new Uint32Array(4);
  crypto.getRandomValues(pick);
  return [...pick].map((x) => abc[x % abc.length]).join("");
}

function withKey(msg) {
  return send({ ...msg, key: teach.cls?.key });
}

function errorWords(e) {
  const params = { ...e.params, field: e.field ? t(`field.${e.field}.label`, null, e.field) : "" };
  for (const [k, v] of Object.entries(params)) if (Array.isArray(v)) params[k] = v.join(", ");
  return t(`error.${e.code}`, params, e.message);
}

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast error";
  el.dataset.testid = "toast";
  el.textContent = text;
  el.onclick = () => el.remove();
  $("toasts").append(el);
  setTimeout(() => el.remove(), 6000);
}

function joinURL(code) {
  return `${location.origin}/?class=${code}`;
}

function showClass() {
  const c = teach.cls;
  $("open-box").hidden = !!c || !teach.online;
  $("class-box").hidden = !c;
  if (!c) return;
  $("class-name").textContent = c.title || t("teach.untitled");
  $("join-code").textContent = c.code;
  $("join-url").textContent = `${location.host}`;
  $("join-qr").src = `/api/qr?text=${encodeURIComponent(joinURL(c.code))}`;
  $("join-qr").alt = t("teach.qr_alt", { url: joinURL(c.code) });
  showCount();
  if (teach.built) showLocks(c.locked ?? []);
}

function showCount() {
  const n = teach.students.length;
  $("student-count").textContent = t("teach.count", { n, max: teach.cls?.max_students ?? 60 });
  $("roster-empty").hidden = n > 0;
}

function buildIfReady() {
  if (teach.built || !teach.catalogue) return;
  teach.built = true;
  buildLead(teach.catalogue, teach.lessons, {
    push: (config) => { $("push-error").textContent = ""; withKey({ type: "class_push", config }); },
    lock: (field, locked) => withKey(locked ? { type: "class_lock", fields: [field] } : { type: "class_unlock", fields: [field] }),
    lesson: (lesson) => withKey({ type: "class_lesson", lesson }),
  });
  if (teach.cls) showLocks(teach.cls.locked ?? []);
}

// ---- messages -------------------------------------------------------------------------
on("conn:open", () => { $("banner-conn").hidden = true; });
on("conn:lost", () => { $("banner-conn").hidden = false; teach.online = false; });

on("hello", (h) => {
  teach.catalogue = h.catalogue;
  teach.online = true;
  buildIfReady();
  const mine = stored();
  if (mine?.key) send({ type: "class_open", key: mine.key }); // a reload: take the class back
  else $("open-box").hidden = false;
});

on("class", (c) => {
  teach.cls = c;
  sessionStorage.setItem(STORE, JSON.stringify({ code: c.code, key: c.key }));
  showClass();
});

on("roster", (r) => {
  teach.students = r.students;
  drawRoster($("roster"), r.students, $("sort").value, (id) => withKey({ type: "class_spotlight", student: id }));
  showCount();
});

on("class_locked", (m) => {
  if (teach.cls) teach.cls.locked = m.fields;
  showLocks(m.fields);
});

on("class_pushed", (m) => {
  const [k, v] = Object.entries(m.config)[0] ?? [];
  toastInfo(t("teach.pushed", { field: t(`field.${k}.label`, null, k), value: Array.isArray(v) ? v.join(",") : v, n: m.students }));
});

on("class_lesson", (m) => {
  if (m.lesson) toastInfo(t("teach.lesson_started", { lesson: t(`lesson.${m.lesson}.title`, null, m.lesson) }));
});

on("spotlight", (m) => {
  if (m.student && m.watch) openSpotlight(teach.cls.code, m.watch, m.name);
  else closeSpotlight();
});

on("class_closed", () => {
  sessionStorage.removeItem(STORE);
  teach.cls = null;
  teach.students = [];
  clearRoster($("roster"));
  closeSpotlight();
  teach.online = false; // the open box comes back with the new socket's hello
  showClass();
  connect((teach.proposed = proposeCode())); // the next class gets a code of its own
});

on("error", (e) => {
  if (e.code === "forbidden" && !teach.cls) { // a stored key of a class that is gone
    sessionStorage.removeItem(STORE);
    $("open-box").hidden = false;
    return;
  }
  const where = e.field && e.field in (teach.catalogue?.fields ?? {}) ? $("push-error") : null;
  if (where) where.textContent = errorWords(e);
  else toast(errorWords(e));
});

function toastInfo(text) {
  const el = document.createElement("div");
  el.className = "toast info";
  el.dataset.testid = "toast-info";
  el.setAttribute("role", "status");
  el.textContent = text;
  $("toasts").append(el);
  setTimeout(() => el.remove(), 3000);
}

// ---- input ----------------------------------------------------------------------------
$("btn-open").onclick = () => send({ type: "class_open", title: $("class-title").value, code: teach.proposed });
$("class-title").onkeydown = (e) => { if (e.key === "Enter") $("btn-open").click(); };
$("sort").onchange = () => drawRoster($("roster"), teach.students, $("sort").value,
  (id) => withKey({ type: "class_spotlight", student: id }));
$("btn-close").onclick = () => {
  if (confirm(t("teach.close_confirm"))) withKey({ type: "class_close" });
};
// Once everyone is in, the join card can shrink so the roster gets the screen.
$("btn-compact").onclick = () => {
  const small = $("class-box").querySelector(".join-card").classList.toggle("compact");
  $("btn-compact").setAttribute("aria-pressed", String(small));
  $("btn-compact").dataset.i18n = small ? "teach.bigger" : "teach.smaller";
  $("btn-compact").textContent = t($("btn-compact").dataset.i18n);
};
$("btn-spotlight-close").onclick = () => withKey({ type: "class_spotlight", student: null });

function words() {
  document.title = t("teach.page_title");
  $("class-title").placeholder = t("teach.title_placeholder");
  showClass();
}
onPage("lang:changed", () => { teach.built = false; buildIfReady(); words(); drawRoster($("roster"), teach.students, $("sort").value, (id) => withKey({ type: "class_spotlight", student: id })); });

initLangSwitch();
applyI18n();
words();
teach.lessons = await (await fetch("/api/lessons")).json();
buildIfReady();
teach.proposed = stored()?.code ?? proposeCode();
connect(teach.proposed);
window.__teach = teach; // tests and the console
