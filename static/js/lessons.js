// Lessons: guided experiments from app/training/teaching/lessons.json (GET /api/lessons). A lesson is a
// URL state (#lesson=<id>&<its config>, a shareable link), words in static/i18n/*.json
// (lesson.<id>.title/text/watch/question/try), a panel to watch (highlighted) and, for some,
// the step-through. Its claim is checked on the real engine by tests/training/test_lessons.py.
import { emit, on, send, state } from "./state.js";
import { t } from "./i18n.js";
import { applyHash, encode, page, readHash, writeHash } from "./url.js";
import { clearCurves } from "./curves.js";
import { holdFocus } from "./dialogs.js";
import { placeCard } from "./lesson_place.js";
import { ask, initPredict, mark, predictionFor, summary } from "./predict.js";
import { openLandscape } from "./landscape.js";

const $ = (id) => document.getElementById(id);
const WATCH = { boundary: "#boundary", gradnorms: "#gradnorms", curves: "#curves",
  saturation: "#saturation", network: "#network-wrap", hunt: "#hunt-panel",
  landscape: "#landscape-panel" };
let all = [];
let variant = false;
let releaseMenu = null; // holdFocus's release while the menu is open
let settleUntil = 0;    // until then (ms), new data or frames re-place the card: layout settles

/** The link of a lesson: its config (with its `try` on top for the variant). */
export function lessonHash(lesson, withTry = false) {
  const params = new URLSearchParams({ lesson: lesson.id });
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (hash.get("lang")) params.set("lang", hash.get("lang"));
  for (const [k, v] of Object.entries({ ...lesson.config, ...(withTry ? lesson.try ?? {} : {}) })) {
    params.set(k, encode(v));
  }
  return params.toString().replace(/%2C/g, ",");
}

function watchTarget(lesson) {
  const el = document.querySelector(WATCH[lesson.watch] ?? "none");
  return el ? el.closest(".panel") ?? el : null;
}

function highlight(lesson) {
  for (const el of document.querySelectorAll(".lesson-watch")) el.classList.remove("lesson-watch");
  const el = lesson ? watchTarget(lesson) : null;
  if (el) {
    el.classList.add("lesson-watch");
    el.dataset.testid = el.dataset.testid ?? "lesson-watch";
  }
  settleUntil = performance.now() + 3000;
  place();
}

/** The card beside the watched panel, the panel in view (lesson_place.js). */
function place() {
  const box = $("lesson-card");
  if (box.hidden) return;
  const lesson = all.find((x) => x.id === page.lesson);
  placeCard(box, lesson ? watchTarget(lesson) : null);
}

let placing = 0;
/** While a new lesson's data and frames come in, the layout moves: follow it a little while. */
function settle() {
  if (performance.now() > settleUntil || placing) return;
  placing = requestAnimationFrame(() => { placing = 0; place(); });
}

/** A lesson that watches the step-through puts its question inside that dialog, which would
 * otherwise cover the card. */
function stepperStrip(lesson) {
  document.querySelector("[data-testid=stepper-lesson]")?.remove();
  const head = document.querySelector("#stepper .sv-head");
  if (!lesson?.stepper || !head) return;
  const strip = document.createElement("p");
  strip.className = "sv-lesson";
  strip.dataset.testid = "stepper-lesson";
  strip.innerHTML = `<b>${t(`lesson.${lesson.id}.title`)}</b> · ${t(`lesson.${lesson.id}.question`)}`;
  head.after(strip);
}

function card(lesson) {
  const box = $("lesson-card");
  stepperStrip(lesson);
  if (!lesson) { box.hidden = true; return; }
  const k = (part) => t(`lesson.${lesson.id}.${part}`);
  const tryBtn = lesson.try
    ? `<button class="primary" data-testid="lesson-try">${variant ? t("lessons.back") : k("try")}</button>` : "";
  const stepBtn = lesson.stepper ? `<button class="primary" data-testid="lesson-stepper">${t("lessons.stepper")}</button>` : "";
  box.innerHTML = `
    <button class="lc-close" data-testid="lesson-close" title="${t("lessons.close")}" aria-label="${t("lessons.close")}">×</button>
    <h3 data-testid="lesson-title">${k("title")}</h3>
    <div class="lc-predict" data-testid="lesson-predict" hidden></div>
    <div class="lc-body">
      <p>${k("text")}</p>
      <p><b>${t("lessons.watch")}:</b> ${k("watch")}</p>
      <p class="lc-question"><b>${t("lessons.question")}:</b> ${k("question")}</p>
    </div>
    <div class="lc-actions">${tryBtn}${stepBtn}</div>`;
  box.hidden = false;
  box.dataset.lesson = lesson.id;
  box.querySelector(".lc-close").addEventListener("click", closeLesson);
  box.querySelector("[data-testid=lesson-try]")?.addEventListener("click", () => start(lesson, !variant));
  box.querySelector("[data-testid=lesson-stepper]")?.addEventListener("click", () => emit("stepper:open"));
  const p = predictionFor(lesson, variant);
  if (p) {
    // The lesson's text tells what happens: it waits for the learner's prediction.
    box.querySelector(".lc-body").hidden = true;
    ask(box.querySelector(".lc-predict"), lesson, p, {
      restart: () => hold(lesson, variant),
      then: (result) => afterPrediction(lesson, result),
    });
  }
}

/** The lesson's setting at step 0, paused: a prediction is asked before anything plays. */
function hold(lesson, withTry) {
  send({ type: "pause" });
  history.replaceState(null, "", `${location.pathname}${location.search}#${lessonHash(lesson, withTry)}`);
  applyHash();
  send({ type: "reset" });
  clearCurves();
}

/** After a prediction's reveal: play on (the step-through is open already), draw the
 * landscape for its lesson, and count the answer on the menu. */
function afterPrediction(lesson, result) {
  $("lesson-card").querySelector(".lc-body").hidden = false;
  menu();
  if (lesson.watch === "landscape") openLandscape();
  if (lesson.stepper) return;
  const b = document.createElement("button");
  b.className = "primary";
  b.dataset.testid = "predict-play";
  b.textContent = t("predict.play_on");
  b.addEventListener("click", () => { b.remove(); send({ type: "play" }); });
  result.append(b);
}

/** Apply a lesson (or its variant) from scratch: config, fresh weights, then run or trace. */
function start(lesson, withTry = false, linked = false) {
  variant = withTry;
  page.lesson = lesson.id;
  const asks = predictionFor(lesson, withTry);
  if (asks) send({ type: "pause" }); // the card asks first; the answer plays
  // A link's hash is kept as it came (main.js applied it): it may carry a change of its own.
  if (!linked) history.replaceState(null, "", `${location.pathname}${location.search}#${lessonHash(lesson, withTry)}`);
  // A lesson that asks for a prediction opens paused at step 0: the learner presses Play.
  const predictFirst = lesson.paused && !withTry;
  if (predictFirst) send({ type: "pause" });
  applyHash();
  send({ type: "bughunt", bug: lesson.bughunt ?? null }); // a bug-hunt lesson plants its bug
  send({ type: "reset" });
  clearCurves();
  if (asks) { /* held: the prediction's answer plays it */ }
  else if (lesson.stepper) {
    send({ type: "pause" });
    emit("stepper:open");
  } else if (!predictFirst) send({ type: "play" });
  card(lesson);
  highlight(lesson);
}

function closeLesson() {
  page.lesson = null;
  variant = false;
  card(null);
  highlight(null);
  writeHash();
}

function menu() {
  const box = $("lessons-menu");
  box.replaceChildren();
  const head = document.createElement("h3");
  head.textContent = t("lessons.menu_head");
  box.append(head, summary(all));
  all.forEach((lesson, i) => {
    const b = document.createElement("button");
    b.className = "lesson-entry";
    b.dataset.testid = "lesson";
    b.dataset.lesson = lesson.id;
    const done = mark(lesson);
    b.innerHTML = `<b>${i + 1}.</b> ${t(`lesson.${lesson.id}.title`)}${done ? ` <span class="predict-mark">${done}</span>` : ""}`;
    b.addEventListener("click", () => { showMenu(false, false); start(lesson); });
    box.append(b);
  });
}

/** Open or close the lessons menu; open, it holds the keyboard (Esc closes it and focus
 * returns to the Lessons button unless `restore` is false). */
function showMenu(open, restore = true) {
  const box = $("lessons-menu");
  $("btn-lessons").setAttribute("aria-expanded", String(open));
  if (open && box.hidden) {
    box.hidden = false;
    releaseMenu = holdFocus(box, { trap: false, onEscape: (r = true) => showMenu(false, r) });
  } else if (!open && !box.hidden) {
    box.hidden = true;
    releaseMenu?.(restore);
    releaseMenu = null;
  }
}

export async function initLessons() {
  const btn = $("btn-lessons");
  try {
    all = await (await fetch("/api/lessons")).json();
  } catch {
    btn.hidden = true;
    return;
  }
  initPredict();
  menu();
  btn.setAttribute("aria-haspopup", "true");
  btn.setAttribute("aria-expanded", "false");
  btn.addEventListener("click", (e) => {
    e.stopPropagation();
    showMenu($("lessons-menu").hidden);
  });
  document.addEventListener("click", (e) => {
    if (!$("lessons-menu").hidden && !e.target.closest("#lessons-menu")) showMenu(false, false);
  });
  // A lesson link (#lesson=<id>&…): the config comes with the hash. A new session starts the
  // lesson as its menu entry does (asks its prediction first, plants its bug, opens the
  // step-through); a reloaded tab that got its run back only shows the card again.
  const lesson = all.find((x) => x.id === page.lesson);
  if (!lesson) page.lesson = null;
  else {
    card(lesson);
    highlight(lesson);
    const begin = () => {
      if (state.hello?.resumed) return;
      const hash = readHash();
      const tried = Object.entries(lesson.try ?? {});
      const withTry = tried.length > 0 && tried.every(([k, v]) => JSON.stringify(hash[k]) === JSON.stringify(v));
      start(lesson, withTry, true);
    };
    if (state.hello) begin();
    else { const once = on("hello", () => { once(); setTimeout(begin, 0); }); }
  }
  on("lang:changed", () => {
    menu();
    card(all.find((x) => x.id === page.lesson) ?? null);
    place();
  });
  on("dataset", settle);
  on("frame", settle);
  let width = window.innerWidth; // a phone's URL bar resizes the height while scrolling: ignore
  window.addEventListener("resize", () => { if (window.innerWidth !== width) { width = window.innerWidth; place(); } });
}

// Teacher mode: the teacher starts a lesson in every tab of the class; null ends it.
on("class_lesson", ({ lesson }) => {
  const chosen = all.find((x) => x.id === lesson);
  if (chosen) start(chosen);
  else if (lesson === null && page.lesson) closeLesson();
});

// For tests and the console: the lessons and the one shown.
window.__bp = Object.assign(window.__bp ?? {}, {
  lessons: { get all() { return all; }, get current() { return page.lesson; }, get variant() { return variant; } },
});
