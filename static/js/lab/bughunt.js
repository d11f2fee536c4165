// The bug-hunt panel: plant a random (or chosen) backprop bug in the session's network, then
// train, step through, run the gradient check and guess which bug it is. A right guess, or
// three wrong ones, reveals the buggy line beside the right one.
import { catchUp, emit, on, send } from "../state.js";
import { applyI18n, t } from "../i18n.js";
import { errorText } from "../feedback.js";

const TEMPLATE = `
<summary><h3 data-i18n-html="hunt.title"></h3></summary>
<p class="hint" data-i18n="hunt.intro"></p>
<div class="row hunt-start">
  <button class="primary" data-testid="hunt-start" data-act="random" data-i18n="hunt.start"></button>
  <select class="hunt-pick" data-testid="hunt-pick" data-i18n-aria-label="hunt.pick"></select>
  <button class="ghost" data-act="pick" data-testid="hunt-plant" data-i18n="hunt.plant"></button>
  <button class="ghost" data-act="end" data-testid="hunt-end" data-i18n="hunt.end" hidden></button>
</div>
<div class="hunt-live" hidden>
  <p class="hunt-state" data-testid="hunt-state" aria-live="polite"></p>
  <button class="ghost" data-act="stepper" data-testid="hunt-stepper" data-i18n="hunt.stepper"></button>
  <div class="hunt-guesses" role="group" data-i18n-aria-label="hunt.guess" data-testid="hunt-guesses"></div>
</div>
<div class="hunt-reveal" data-testid="hunt-reveal" hidden></div>
<p class="hunt-error field-error" data-testid="hunt-error"></p>`;

let root = null;
let hunt = { active: false, candidates: [], tries: 0, max: 3, last: null, reveal: null };

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const bugName = (b) => t(`bug.${b}`, null, b);

function render() {
  const $ = (s) => root.querySelector(s);
  const pick = $(".hunt-pick");
  if (pick.options.length !== hunt.candidates.length) {
    pick.replaceChildren(...hunt.candidates.map((b) => new Option(bugName(b), b)));
  } else [...pick.options].forEach((o) => { o.textContent = bugName(o.value); });
  $("[data-act=end]").hidden = !hunt.active;
  $(".hunt-live").hidden = !hunt.active;
  const g = hunt.last;
  let line = t("hunt.tries", { n: hunt.tries, max: hunt.max });
  if (g) line = `${t(g.correct ? "hunt.right" : "hunt.wrong", { bug: bugName(g.bug) })} ${line}`;
  $(".hunt-state").textContent = line;
  $(".hunt-guesses").replaceChildren(...hunt.candidates.map((b) => {
    const btn = document.createElement("button");
    btn.className = "ghost hunt-guess";
    btn.dataset.bug = b;
    btn.dataset.testid = `guess-${b}`;
    btn.textContent = bugName(b);
    btn.title = t(`bug.${b}.what`, null, "");
    btn.disabled = Boolean(hunt.reveal);
    return btn;
  }));
  const r = hunt.reveal;
  $(".hunt-reveal").hidden = !r;
  if (r) {
    $(".hunt-reveal").innerHTML = `
      <p><b>${esc(bugName(r.bug))}</b>: ${esc(t(`bug.${r.bug}.what`, null, r.what))}</p>
      <p class="hint">${esc(t("hunt.where", { where: r.where }))}</p>
      <div class="hunt-lines">
        <div><span class="neg">${esc(t("hunt.wrong_line"))}</span><pre translate="no" data-testid="reveal-wrong">${esc(r.wrong)}</pre></div>
        <div><span class="pos">${esc(t("hunt.right_line"))}</span><pre translate="no" data-testid="reveal-right">${esc(r.right)}</pre></div>
      </div>`;
  }
}

export function initBugHunt() {
  const inside = document.getElementById("inside");
  root = document.createElement("details");
  root.className = "panel hunt-panel";
  root.id = "hunt-panel";
  root.dataset.testid = "hunt-panel";
  root.innerHTML = TEMPLATE;
  inside.prepend(root);
  applyI18n(root);
  root.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    root.querySelector(".hunt-error").textContent = "";
    if (b.dataset.act === "random" || b.dataset.act === "pick") {
      const bug = b.dataset.act === "random" ? "random" : root.querySelector(".hunt-pick").value;
      send({ type: "bughunt", bug });
      send({ type: "reset" }); // the hunt starts from fresh weights, trained by the buggy engine
    } else if (b.dataset.act === "end") send({ type: "bughunt", bug: null });
    else if (b.dataset.act === "stepper") emit("stepper:open"); // its gradient check finds it
    else if (b.dataset.bug) send({ type: "guess", bug: b.dataset.bug });
  });
  // A new session (a fresh tab or a reconnect) has no hunt; its catalogue names the bugs.
  const greeted = (h) => {
    hunt = { ...hunt, active: false, candidates: h.catalogue?.bugs ?? [], tries: 0, last: null, reveal: null };
    render();
  };
  on("hello", greeted);
  catchUp("hello", greeted);
  on("bughunt", (h) => {
    if (h.active && !hunt.active) root.open = true; // a hunt began (here or from a lesson)
    hunt = { ...hunt, active: h.active, candidates: h.candidates, tries: h.tries, max: h.max_tries,
      last: null, reveal: null };
    render();
  });
  on("guess", (g) => { hunt.tries = g.tries; hunt.last = g; render(); });
  on("reveal", (r) => { hunt.reveal = r; render(); });
  on("error", (e) => {
    if (e.field === "bug") root.querySelector(".hunt-error").textContent = errorText(e);
  });
  on("lang:changed", render);
}
