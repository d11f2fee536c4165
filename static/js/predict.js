// Predict, then see: a lesson asks before it shows (app/training/teaching/lessons.json
// `predict`). The card shows the question and its options; an answer resets the lesson's
// setting, plays the prediction's steps (a step-through lesson traces its first step instead),
// then says whether it was right, with the reason. Answers are kept in this browser
// (localStorage) and summed on the lessons menu. Each right answer is checked on the real engine
// by tests/training/teaching/test_predictions.py.
import { emit, on, send } from "./state.js";
import { t } from "./i18n.js";

const STORE = "bp.predictions.v1";
// The prediction under way, in one place.
const run = {
  key: null, // "<lesson>/<prediction>" being played, or null
  choice: null, // the option chosen
  answer: null, // the right option
  armed: false, // the lesson's reset (a step-0 frame) has come: later frames count
  steps: 0, // the step the reveal waits for
  stepper: false, // revealed by the trace instead of a frame
  done: null, // called with the result when revealed
};

/** The answers kept in this browser: {"<lesson>/<id>": {choice, right}}. */
export function answers() {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

function keep(key, choice, right) {
  const all = answers();
  all[key] = { choice, right };
  try { localStorage.setItem(STORE, JSON.stringify(all)); } catch { /* private mode: not kept */ }
}

/** The prediction a lesson asks for its setting (`variant`: its `try`), or null. */
export function predictionFor(lesson, variant) {
  return (lesson?.predict ?? []).find((p) => p.on === (variant ? "try" : "lesson")) ?? null;
}

const words = (lesson, p, part) => t(`lesson.${lesson.id}.predict.${p.id}.${part}`);

/** The menu's line: right of answered, of all the lessons' predictions. */
export function summary(lessons) {
  const all = answers();
  const keys = lessons.flatMap((l) => (l.predict ?? []).map((p) => `${l.id}/${p.id}`));
  const mine = keys.filter((k) => k in all);
  const el = document.createElement("p");
  el.className = "predict-summary";
  el.dataset.testid = "predict-summary";
  el.textContent = mine.length
    ? t("predict.summary", { right: mine.filter((k) => all[k].right).length, answered: mine.length, total: keys.length })
    : t("predict.none", { total: keys.length });
  return el;
}

/** ✓ or ✗ for a lesson's answered predictions (all right: ✓), "" when none answered. */
export function mark(lesson) {
  const all = answers();
  const mine = (lesson.predict ?? []).map((p) => all[`${lesson.id}/${p.id}`]).filter(Boolean);
  if (!mine.length) return "";
  return mine.every((a) => a.right) ? "✓" : "✗";
}

/** Render the question into `box`. restart(): bring the lesson's setting back at step 0,
 * paused; then() after the reveal (e.g. play on). */
export function ask(box, lesson, p, { restart, then }) {
  const key = `${lesson.id}/${p.id}`;
  const last = answers()[key];
  box.replaceChildren();
  box.hidden = false;
  box.dataset.prediction = key;
  const q = document.createElement("p");
  q.className = "predict-question";
  q.innerHTML = `<b>${t("predict.prompt")}:</b> `;
  q.append(words(lesson, p, "question"));
  const opts = document.createElement("div");
  opts.className = "predict-options";
  opts.setAttribute("role", "group");
  opts.setAttribute("aria-label", t("predict.prompt"));
  for (const o of p.options) {
    const b = document.createElement("button");
    b.className = "ghost predict-option";
    b.dataset.testid = "predict-option";
    b.dataset.option = o;
    b.textContent = words(lesson, p, o) + (last?.choice === o ? (last.right ? " ✓" : " ✗") : "");
    b.addEventListener("click", () => {
      for (const x of opts.querySelectorAll("button")) x.disabled = true;
      b.classList.add("chosen");
      result.textContent = t("predict.watching");
      result.className = "predict-result";
      restart();
      play(lesson, p, o, (right) => reveal(lesson, p, o, right, result, then));
    });
    opts.append(b);
  }
  const result = document.createElement("div");
  result.className = "predict-result";
  result.dataset.testid = "predict-result";
  result.setAttribute("aria-live", "polite");
  box.append(q, opts, result);
}

function play(lesson, p, choice, done) {
  Object.assign(run, {
    key: `${lesson.id}/${p.id}`, choice, answer: p.answer, armed: false, steps: p.steps,
    stepper: !!lesson.stepper, done,
  });
  if (run.stepper) { emit("stepper:open"); return; } // its trace reveals
  if (p.steps > 0) send({ type: "step", n: p.steps });
}

function finish() {
  if (!run.key) return;
  const done = run.done;
  const right = run.choice === run.answer;
  run.key = null;
  done(right);
}

function reveal(lesson, p, choice, right, box, then) {
  keep(`${lesson.id}/${p.id}`, choice, right);
  box.className = `predict-result ${right ? "right" : "wrong"}`;
  box.replaceChildren();
  const verdict = document.createElement("p");
  verdict.className = "predict-verdict";
  verdict.dataset.testid = "predict-verdict";
  verdict.dataset.right = String(right);
  verdict.textContent = right ? t("predict.right") : t("predict.wrong", { answer: words(lesson, p, p.answer) });
  const why = document.createElement("p");
  why.innerHTML = `<b>${t("predict.why")}:</b> `;
  why.append(words(lesson, p, "why"));
  why.dataset.testid = "predict-why";
  box.append(verdict, why);
  then?.(box);
}

/** Listen for the frame (or trace) that ends a prediction's play. */
export function initPredict() {
  on("frame", (f) => {
    if (!run.key || run.stepper) return;
    if (!run.armed) { run.armed = f.step === 0; return; } // frames of before the reset
    if (f.state === "diverged" || (f.step >= run.steps && f.state === "paused")) finish();
  });
  on("trace", () => { if (run.key && run.stepper) finish(); });
}

// For tests and the console.
window.__bp = Object.assign(window.__bp ?? {}, { predictions: { answers, run } });
