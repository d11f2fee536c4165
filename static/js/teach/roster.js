// The class at a glance: one card per student (boundary thumbnail, loss sparkline, flags),
// updated in place from each `roster` (about once a second), in the chosen order.
import { t } from "../i18n.js";
import { PALETTE_RGB, ORANGE, BLUE, WHITE } from "../grid.js";

const cards = new Map(); // student id -> {el, parts}
let order = "";

const fmt = (v, d = 3) => (v === null || v === undefined ? "–" : Number(v).toPrecision(d));

function make(s, onPick) {
  const el = document.createElement("button");
  el.className = "card";
  el.dataset.testid = "student-card";
  el.dataset.id = s.id;
  el.innerHTML = `
    <canvas class="thumb" width="16" height="16" aria-hidden="true"></canvas>
    <div class="who"><b class="name"></b><span class="flags"></span></div>
    <div class="nums"><span class="loss" data-testid="card-loss"></span><span class="step"></span></div>
    <canvas class="spark" width="120" height="26" aria-hidden="true"></canvas>
    <div class="diff" data-testid="card-diff"></div>`;
  el.addEventListener("click", () => onPick(s.id));
  const q = (c) => el.querySelector(c);
  return { el, thumb: q(".thumb"), name: q(".name"), flags: q(".flags"), loss: q(".loss"),
    step: q(".step"), spark: q(".spark"), diff: q(".diff") };
}

function mix(a, b, k) {
  return a.map((x, i) => Math.round(x + (b[i] - x) * k));
}

/** The 16 x 16 boundary: class colour, paler where the network is unsure (roster.py). */
function drawThumb(canvas, b) {
  const ctx = canvas.getContext("2d");
  if (!b) { ctx.clearRect(0, 0, canvas.width, canvas.height); canvas.classList.add("none"); return; }
  canvas.classList.remove("none");
  const n = b.res;
  canvas.width = canvas.height = n;
  const img = ctx.createImageData(n, n);
  const bytes = b.cells ? Uint8Array.from(atob(b.cells), (c) => c.charCodeAt(0)) : null;
  const vals = b.value ? Uint8Array.from(atob(b.value.b64), (c) => c.charCodeAt(0)) : null;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = r * n + c;
      let rgb;
      if (bytes) {
        const cls = Math.floor(bytes[k] / b.levels);
        const conf = (bytes[k] % b.levels) / (b.levels - 1);
        const base = b.n_classes <= 2 ? (cls === 0 ? ORANGE : BLUE) : PALETTE_RGB[cls % PALETTE_RGB.length];
        rgb = mix(WHITE, base, 0.25 + 0.6 * conf);
      } else {
        const v = vals[k] / 255 * 2 - 1; // -1..1 of the symmetric value range
        rgb = mix(WHITE, v < 0 ? ORANGE : BLUE, Math.abs(v) * 0.85);
      }
      const o = ((n - 1 - r) * n + c) * 4; // row 0 is the bottom (y grows upwards)
      img.data.set([...rgb, 255], o);
    }
  }
  ctx.putImageData(img, 0, 0);
}

function drawSpark(canvas, points) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!points || points.length < 2) return;
  const lo = Math.min(...points), hi = Math.max(...points);
  const span = hi - lo || 1;
  ctx.beginPath();
  points.forEach((p, i) => {
    const x = (i / (points.length - 1)) * (w - 2) + 1;
    const y = h - 2 - ((p - lo) / span) * (h - 4);
    i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
  });
  ctx.strokeStyle = "#183d4e";
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

function diffText(diff) {
  return Object.entries(diff ?? {})
    .map(([k, v]) => `${t(`field.${k}.label`, null, k)} ${Array.isArray(v) ? v.join("-") : v}`)
    .join(" · ");
}

function flag(s) {
  if (s.state === "diverged") return { cls: "diverged", text: t("teach.flag_diverged") };
  if (s.stuck) return { cls: "stuck", text: t(`teach.stuck.${s.stuck}`, null, s.stuck) };
  return null;
}

const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  test_loss: (a, b) => (a.test?.loss ?? Infinity) - (b.test?.loss ?? Infinity) || a.name.localeCompare(b.name),
  step: (a, b) => b.step - a.step || a.name.localeCompare(b.name),
};

/** Show roster `students` in `box`, sorted by `sort`; a click on a card calls onPick(id). */
export function drawRoster(box, students, sort, onPick) {
  const seen = new Set();
  for (const s of students) {
    seen.add(s.id);
    let c = cards.get(s.id);
    if (!c) { c = make(s, onPick); cards.set(s.id, c); }
    c.name.textContent = s.name;
    const f = flag(s);
    c.flags.textContent = f ? f.text : "";
    c.flags.className = `flags ${f?.cls ?? ""}`;
    c.el.classList.toggle("flagged", !!f);
    c.el.dataset.state = s.state;
    c.el.dataset.stuck = s.stuck ?? "";
    c.loss.textContent = t("teach.card_loss", { loss: fmt(s.test?.loss) });
    c.step.textContent = t("teach.card_step", { step: s.step.toLocaleString() });
    c.diff.textContent = diffText(s.config_diff);
    c.el.setAttribute("aria-label", `${s.name}: ${c.loss.textContent}, ${c.step.textContent}${f ? `, ${f.text}` : ""}`);
    drawThumb(c.thumb, s.boundary);
    drawSpark(c.spark, s.spark);
  }
  for (const [id, c] of cards) if (!seen.has(id)) { c.el.remove(); cards.delete(id); }
  const sorted = [...students].sort(SORTS[sort] ?? SORTS.name).map((s) => s.id);
  const key = sorted.join(",");
  if (key !== order || box.children.length !== sorted.length) {
    order = key;
    box.replaceChildren(...sorted.map((id) => cards.get(id).el));
  }
}

export function clearRoster(box) {
  cards.clear();
  order = "";
  box.replaceChildren();
}
