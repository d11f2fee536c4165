// Input nodes drawn as pictures of their feature over the plane (TensorFlow Playground's
// clarity): X₁ is a left-to-right ramp, X₁² a valley, sin(X₁) a wave, in the colours of the
// boundary (orange −, white 0, blue +). Features are computed from standardized coordinates
// (app/data/features.py), so the picture spans z in [-RANGE, RANGE] on both axes.
import { on, state } from "./state.js";
import { diverging } from "./grid.js";

const RANGE = 2.5;
const SIDE = 32; // pixels of a picture; the node scales it
const NS = "http://www.w3.org/2000/svg";

// By the node's label, as the server names features (app/data/features.py FEATURES).
const FEATURE = {
  "X₁": (a) => a,
  "X₂": (a, b) => b,
  "X₁²": (a) => a * a,
  "X₂²": (a, b) => b * b,
  "X₁X₂": (a, b) => a * b,
  "sin(X₁)": (a) => Math.sin(a),
  "sin(X₂)": (a, b) => Math.sin(b),
};

const cache = new Map();

/** A data URL of feature `name` over the plane (x₂ upwards), or null for unknown names. */
export function featurePicture(name) {
  const f = FEATURE[name];
  if (!f) return null;
  if (cache.has(name)) return cache.get(name);
  const values = new Float64Array(SIDE * SIDE);
  let top = 0;
  for (let i = 0; i < SIDE; i++) {
    const b = RANGE - (2 * RANGE * (i + 0.5)) / SIDE; // row 0 is the top: x₂ high
    for (let j = 0; j < SIDE; j++) {
      const a = -RANGE + (2 * RANGE * (j + 0.5)) / SIDE;
      const v = f(a, b);
      values[i * SIDE + j] = v;
      top = Math.max(top, Math.abs(v));
    }
  }
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIDE, SIDE);
  values.forEach((v, k) => {
    const c = diverging(v / (top || 1));
    img.data.set([Math.round(c[0]), Math.round(c[1]), Math.round(c[2]), 255], 4 * k);
  });
  ctx.putImageData(img, 0, 0);
  const url = canvas.toDataURL();
  cache.set(name, url);
  return url;
}

/** Put each 2-D input node's picture into the diagram `net` (network.js drawNetwork). */
function paintInputs(net) {
  const labels = state.dataset?.kind === "2d" ? state.dataset.input_names ?? [] : [];
  const s = net.nodeSize;
  (net.nodes[0] ?? []).forEach((nd, k) => {
    if (!nd.g) return;
    nd.g.dataset.testid = "input-node";
    const url = featurePicture(labels[k]);
    nd.g.querySelector("image.feature")?.remove();
    if (!url) return;
    const image = document.createElementNS(NS, "image");
    for (const [a, v] of Object.entries({ x: nd.x - s / 2 + 1, y: nd.y - s / 2 + 1, width: s - 2,
      height: s - 2, preserveAspectRatio: "none", href: url, class: "feature" })) image.setAttribute(a, v);
    nd.rect.after(image);
  });
}

on("network:drawn", paintInputs);
