// Lessons: guided experiments from app/training/teaching/lessons.json (GET /api/lessons). A lesson is a
// URL state (#lesson=<id>&<its config>, a shareable link), words in static/i18n/*.json
// (lesson.<id>.title/text/watch/question/try), a panel to watch (highlighted) and, for some,
// the step-through. Its claim is checked on the real engine by tests/training/test_lessons.py.
import { emit, on, send, state } from "./state.js";
import { t } from "./i18n.js";
import { applyHash, page, writeHash } from "./url.js";
import { clearCurves } from "./curves.js";

const $ = (id) => document.getElementById(id);
const WATCH = { boundary: "#boundary", gradnorms: "#gradnorms", curves: "#curves",
  saturation: "#saturation", network: "#network-wrap" };
let all = [];
let variant = false;

function encode(v) {
  return Array.isArray(v) ? v.join(",") : String(v);
}

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
  if (!el) return;
  el.classList.add("lesson-watch");
  el.dataset.testid = el.dataset.testid ?? "lesson-watch";
  el.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function card(lesson) {
  const box = $("lesson-card");
  if (!lesson) { box.hidden = true; return; }
  const k = (part) => t(`lesson.${lesson.id}.${part}`);
  const tryBtn = lesson.try
    ? `<button class="primary" data-testid="lesson-try">${variant ? t("lessons.back") : k("try")}</button>` : "";
  const stepBtn = lesson.stepper ? `<button class="primary" data-testid="lesson-stepper">${t("lessons.stepper")}</button>` : "";
  box.innerHTML = `
    <button class="lc-close" data-testid="lesson-close" title="${t("lessons.close")}" aria-label="${t("lessons.close")}">×</button>
    <h3 data-testid="lesson-title">${k("title")}</h3>
    <p>${k("text")}</p>
    <p><b>${t("lessons.watch")}:</b> ${k("watch")}</p>
    <p class="lc-question"><b>${t("lessons.question")}:</b> ${k("question")}</p>
    <div class="lc-actions">${tryBtn}${stepBtn}</div>`;
  box.hidden = false;
  box.dataset.lesson = lesson.id;
  box.querySelector(".lc-close").addEventListener("click", closeLesson);
  box.querySelector("[data-testid=lesson-try]")?.addEventListener("click", () => start(lesson, !variant));
  box.querySelector("[data-testid=lesson-stepper]")?.addEventListener("click", () => emit("stepper:open"));
}

/** Apply a lesson (or its variant) from scratch: config, fresh weights, then run or trace. */
function start(lesson, withTry = false) {
  variant = withTry;
  page.lesson = lesson.id;
  history.replaceState(null, "", `${location.pathname}${location.search}#${lessonHash(lesson, withTry)}`);
  applyHash();
  send({ type: "reset" });
  clearCurves();
  if (lesson.stepper) {
    send({ type: "pause" });
    emit("stepper:open");
  } else send({ type: "play" });
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
  box.append(head);
  all.forEach((lesson, i) => {
    const b = document.createElement("button");
    b.className = "lesson-entry";
    b.dataset.testid = "lesson";
    b.dataset.lesson = lesson.id;
    b.innerHTML = `<b>${i + 1}.</b> ${t(`lesson.${lesson.id}.title`)}`;
    b.addEventListener("click", () => { box.hidden = true; start(lesson); });
    box.append(b);
  });
}

export async function initLessons() {
  const btn = $("btn-lessons");
  try {
    all = await (await fetch("/api/lessons")).json();
  } catch {
    btn.hidden = true;
    return;
  }
  menu();
  btn.addEventListener("click", (e) => {
    e.stopPropagation();
    $("lessons-menu").hidden = !$("lessons-menu").hidden;
  });
  document.addEventListener("click", (e) => {
    if (!e.target.closest("#lessons-menu")) $("lessons-menu").hidden = true;
  });
  // A lesson link (#lesson=<id>&…): the config comes with the hash; show its card.
  const lesson = all.find((x) => x.id === page.lesson);
  if (!lesson) page.lesson = null;
  else {
    card(lesson);
    highlight(lesson);
    if (lesson.stepper) {
      if (state.hello) emit("stepper:open");
      else { const once = on("hello", () => { once(); setTimeout(() => emit("stepper:open"), 0); }); }
    }
  }
  on("lang:changed", () => {
    menu();
    card(all.find((x) => x.id === page.lesson) ?? null);
  });
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
