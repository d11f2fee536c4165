// The digit drawing canvas: mouse and touch, thick brush; on each stroke the drawing is turned
// into an MNIST-like 28x28 image (fit into 20x20, centred by mass) and sent as `predict`.
import { PALETTE } from "./grid.js";
import { on, send } from "./state.js";

const canvas = () => document.getElementById("draw");
let drawing = false;
let last = null;
let dirty = false;
let throttle = null;

function ctx() {
  return canvas().getContext("2d", { willReadFrequently: true });
}

function clear() {
  const c = canvas();
  const g = ctx();
  g.fillStyle = "#000";
  g.fillRect(0, 0, c.width, c.height);
  document.getElementById("pred-digit").textContent = "?";
  renderBars(null);
}

function pos(ev) {
  const r = canvas().getBoundingClientRect();
  return { x: ((ev.clientX - r.left) / r.width) * canvas().width, y: ((ev.clientY - r.top) / r.height) * canvas().height };
}

function stroke(p) {
  const g = ctx();
  g.strokeStyle = "#fff";
  g.fillStyle = "#fff";
  g.lineWidth = canvas().width / 12;
  g.lineCap = "round";
  g.lineJoin = "round";
  g.beginPath();
  if (last) { g.moveTo(last.x, last.y); g.lineTo(p.x, p.y); g.stroke(); }
  else { g.arc(p.x, p.y, g.lineWidth / 2, 0, 2 * Math.PI); g.fill(); }
  last = p;
  dirty = true;
}

/** 784 floats in [0, 1], row-major 28x28, MNIST-style (20x20 box, centre of mass at 14,14). */
export function toMnist() {
  const c = canvas();
  const src = ctx().getImageData(0, 0, c.width, c.height).data;
  let x0 = c.width, y0 = c.height, x1 = -1, y1 = -1;
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      if (src[(y * c.width + x) * 4] > 20) {
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, s = 20 / Math.max(w, h);
  const small = document.createElement("canvas");
  small.width = small.height = 28;
  const sg = small.getContext("2d", { willReadFrequently: true });
  sg.fillStyle = "#000";
  sg.fillRect(0, 0, 28, 28);
  sg.imageSmoothingEnabled = true;
  sg.imageSmoothingQuality = "high";
  const dw = w * s, dh = h * s;
  sg.drawImage(c, x0, y0, w, h, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const px = sg.getImageData(0, 0, 28, 28).data;
  const img = new Float32Array(784);
  let m = 0, mx = 0, my = 0;
  for (let k = 0; k < 784; k++) {
    const v = px[4 * k] / 255;
    img[k] = v; m += v; mx += v * (k % 28); my += v * Math.floor(k / 28);
  }
  // Shift so that the centre of mass lands on (14, 14) like MNIST.
  const dx = Math.round(14 - mx / m - 0.5), dy = Math.round(14 - my / m - 0.5);
  const out = new Array(784).fill(0);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = +img[sy * 28 + sx].toFixed(3);
    }
  }
  return out;
}

function predict() {
  if (!dirty) return;
  dirty = false;
  const image = toMnist();
  if (image) send({ type: "predict", image });
}

function renderBars(probs) {
  const box = document.getElementById("pred-bars");
  if (!probs) { box.replaceChildren(); return; }
  if (box.children.length !== probs.length) {
    box.replaceChildren(...probs.map((_, i) => {
      const row = document.createElement("div");
      row.className = "bar-row";
      row.innerHTML = `<span>${i}</span><i><b></b></i><em></em>`;
      return row;
    }));
  }
  const best = probs.indexOf(Math.max(...probs));
  probs.forEach((p, i) => {
    const row = box.children[i];
    row.querySelector("b").style.width = `${(p * 100).toFixed(1)}%`;
    row.querySelector("b").style.background = i === best ? PALETTE[1] : "#9bbbd4";
    row.querySelector("em").textContent = `${Math.round(p * 100)}%`;
  });
}

export function initDraw() {
  const c = canvas();
  clear();
  c.style.touchAction = "none";
  c.addEventListener("pointerdown", (ev) => {
    drawing = true;
    last = null;
    c.setPointerCapture(ev.pointerId);
    stroke(pos(ev));
  });
  c.addEventListener("pointermove", (ev) => {
    if (!drawing) return;
    stroke(pos(ev));
    if (!throttle) throttle = setTimeout(() => { throttle = null; predict(); }, 120);
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    predict();
  };
  c.addEventListener("pointerup", end);
  c.addEventListener("pointercancel", end);
  document.getElementById("btn-clear").addEventListener("click", clear);
  on("prediction", (msg) => {
    if (!msg.probs || msg.probs.length < 3) return; // a 2-D probe, not a digit
    document.getElementById("pred-digit").textContent = String(msg.class);
    renderBars(msg.probs);
  });
}
