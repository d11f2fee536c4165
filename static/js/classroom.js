// Teacher mode, the student's side: join a class (a link with ?class=K7Q2, or the code typed
// in "Join a class"), show it in the header, grey the controls the teacher locked and say
// why. The teacher's lessons start through lessons.js. A spotlight (?watch=<token>, inside
// the teacher's page) is this page read-only: state.readOnly stops everything it would send.
import { on, send, state } from "./state.js";
import { applyI18n, t } from "./i18n.js";
import { reconnect } from "./socket.js";
import { toast } from "./feedback.js";

const NAME = "bp-class-name"; // sessionStorage: the name this tab joins with
const params = new URLSearchParams(location.search);
const cls = {
  code: normalize(params.get("class") ?? ""), // the code the socket was routed by
  joined: null,  // the `class_joined` message while in a class
  locked: [],    // config keys the teacher locked
};
// Controls of keys that are not a `.control[data-key]` of controls.js.
const EXTRA = { dataset: ["#dataset-picker"], hidden_layers: ["#layer-count", "#layer-buttons"] };

function normalize(code) {
  return code.toUpperCase().replace(/[\s_-]/g, "");
}

// ---- the join dialog ------------------------------------------------------------------
const dialog = document.createElement("dialog");
dialog.className = "class-dialog";
dialog.dataset.testid = "class-dialog";
dialog.setAttribute("aria-labelledby", "class-dialog-title");
dialog.innerHTML = `
  <form method="dialog">
    <h2 id="class-dialog-title" data-i18n="class.join_title"></h2>
    <label for="class-code" data-i18n="class.code_label"></label>
    <input id="class-code" data-testid="class-code" autocomplete="off" maxlength="16" translate="no">
    <div class="field-error" data-error-for="code" data-testid="class-code-error"></div>
    <label for="class-name" data-i18n="class.name_label"></label>
    <input id="class-name" data-testid="class-name" autocomplete="nickname" maxlength="40">
    <div class="class-actions">
      <button value="cancel" formnovalidate data-i18n="class.cancel"></button>
      <button id="class-join-go" class="primary" value="join" data-testid="class-join" data-i18n="class.join_go"></button>
    </div>
  </form>`;
document.body.append(dialog);

const joinButton = document.createElement("button");
joinButton.className = "ghost";
joinButton.dataset.testid = "class-open-join";
joinButton.dataset.i18n = "class.join";
(document.querySelector(".top-tools") ?? document.getElementById("topbar")).prepend(joinButton);

const badge = document.createElement("span");
badge.className = "class-badge";
badge.dataset.testid = "class-badge";
badge.hidden = true;
(document.querySelector(".brand") ?? document.getElementById("topbar")).append(badge);

applyI18n(dialog);
joinButton.textContent = t("class.join");

function openDialog() {
  dialog.returnValue = "";
  dialog.querySelector("#class-code").value = cls.code;
  dialog.querySelector("#class-name").value = sessionStorage.getItem(NAME) ?? "";
  if (!dialog.open) dialog.showModal();
  dialog.querySelector(cls.code ? "#class-name" : "#class-code").focus();
}

joinButton.addEventListener("click", openDialog);
dialog.addEventListener("close", () => {
  if (dialog.returnValue !== "join") return;
  const code = normalize(dialog.querySelector("#class-code").value);
  sessionStorage.setItem(NAME, dialog.querySelector("#class-name").value.trim());
  if (code === cls.code && state.connected) join();
  else {
    // Reconnect routed by the code: the class lives in one server process.
    cls.code = code;
    const q = new URLSearchParams(location.search);
    q.set("class", code);
    history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
    reconnect();
  }
});

function join() {
  send({ type: "class_join", code: cls.code, name: sessionStorage.getItem(NAME) ?? "" });
}

// ---- the class ------------------------------------------------------------------------
function showBadge() {
  const j = cls.joined;
  badge.hidden = !j;
  joinButton.hidden = !!j || state.readOnly;
  if (j) {
    badge.textContent = t("class.badge", { code: j.code }) + (j.title ? ` · ${j.title}` : "");
    badge.title = j.name ? `${badge.textContent} · ${j.name}` : badge.textContent; // whole, if cut
  }
}

/** Grey the controls of locked keys and say why; free the others. */
function applyLocks() {
  const locked = new Set(cls.locked);
  const targets = [...document.querySelectorAll(".control[data-key]")].map((el) => [el.dataset.key, el]);
  for (const [key, sels] of Object.entries(EXTRA)) {
    for (const sel of sels) { const el = document.querySelector(sel); if (el) targets.push([key, el]); }
  }
  for (const [key, el] of targets) {
    const on = locked.has(key);
    el.classList.toggle("class-locked", on);
    el.dataset.lockedBy = on ? "teacher" : "";
    for (const input of el.querySelectorAll("input, select, button")) {
      if (on && !input.disabled) { input.disabled = true; input.dataset.classLocked = "1"; }
      else if (!on && input.dataset.classLocked) { input.disabled = false; delete input.dataset.classLocked; }
    }
    let note = el.querySelector(":scope > .lock-note");
    if (on && !note) {
      note = document.createElement("div");
      note.className = "lock-note";
      note.dataset.testid = `locked-${key}`;
      el.append(note);
    }
    if (note) { note.hidden = !on; note.textContent = t("class.locked_note"); }
    if (on) el.title = t("class.locked_note");
  }
  // A CSV upload replaces the data: it is locked with the dataset (the server refuses it too).
  const upload = document.getElementById("upload");
  if (upload) {
    upload.disabled = locked.has("dataset");
    upload.closest("label")?.classList.toggle("class-locked", locked.has("dataset"));
  }
}
const later = () => setTimeout(applyLocks, 0); // after the page's own handlers rebuilt them

on("hello", () => {
  if (state.readOnly) return;
  if (cls.code && sessionStorage.getItem(NAME) !== null) join();
  else if (cls.code) openDialog();
  later();
});
// Behind nginx (deploy/nginx.conf) a class lives in one replica: this cookie sends the
// tab's uploads there too.
const cookie = (code) => {
  document.cookie = `bp_class=${code}; path=/; SameSite=Strict${code ? "" : "; max-age=0"}`;
};

on("class_joined", (m) => {
  cookie(m.code);
  cls.joined = m;
  cls.code = m.code;
  cls.locked = m.locked;
  if (dialog.open) dialog.close("joined");
  showBadge();
  applyLocks();
  toast(t("class.joined", { title: m.title || m.code }), "info");
});
on("class_locked", (m) => { cls.locked = m.fields; applyLocks(); });
on("class_closed", () => {
  cookie("");
  cls.joined = null;
  cls.locked = [];
  applyLocks();
  showBadge();
  const q = new URLSearchParams(location.search);
  q.delete("class");
  history.replaceState(null, "", `${location.pathname}${q.toString() ? `?${q}` : ""}${location.hash}`);
  toast(t("class.closed"), "info");
});
on("error", (e) => {
  if (!cls.joined && ["no_class", "class_full"].includes(e.code)) openDialog();
});
for (const kind of ["status", "dataset", "config:changed"]) on(kind, later);
on("lang:changed", () => { applyI18n(dialog); joinButton.textContent = t("class.join"); showBadge(); applyLocks(); });

// ---- a spotlight: this page inside the teacher's, read-only ---------------------------
if (params.get("watch")) {
  state.readOnly = true;
  document.body.classList.add("read-only");
  joinButton.hidden = true;
  const note = document.createElement("div");
  note.className = "banner warn";
  note.dataset.testid = "banner-watching";
  note.dataset.i18n = "class.watching";
  note.textContent = t("class.watching");
  document.getElementById("topbar").after(note);
}

window.__bp = Object.assign(window.__bp ?? {}, { classroom: cls });
