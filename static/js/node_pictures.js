// The diagram's end nodes as pictures over the plane (TensorFlow Playground's clarity).
// Inputs: their feature — X₁ a left-to-right ramp, X₁² a valley, sin(X₁) a wave — in the
// colours of the boundary (orange −, white 0, blue +). Features are computed from
// standardized coordinates (app/data/features.py), so the picture spans z in [-RANGE, RANGE].
// Outputs of a multi-class net: output k shows where class k wins, in its class colour (a
// one-output net's node already shows the whole boundary: network.js outputImage).
import { on, state } from "./state.js";
import { PALETTE_RGB, decodeGrid, diverging } from "./grid.js";

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

let net = null;
let painted = null; // the boundary the output pictures show

/** One picture per output node k: the cells where class k wins, shaded by confidence
 * (boundary.cells as docs/protocol.md packs them). */
function paintOutputs() {
  const b = state.heavy.boundary;
  const out = net?.nodes[net.nodes.length - 1] ?? [];
  if (!b?.cells || out.length < 2 || b === painted || !out[0].g) return;
  painted = b;
  const g = decodeGrid(b.cells);
  const C = b.n_classes ?? out.length, L = b.levels ?? Math.floor(256 / C), floor = 1 / C;
  const s = net.nodeSize;
  const canvas = document.createElement("canvas");
  canvas.width = g.cols;
  canvas.height = g.rows;
  const ctx = canvas.getContext("2d");
  out.forEach((nd, k) => {
    const rgb = C <= 2 ? PALETTE_RGB[k === 1 ? 1 : 0] : PALETTE_RGB[k % PALETTE_RGB.length];
    const img = ctx.createImageData(g.cols, g.rows);
    for (let i = 0; i < g.rows; i++) {
      for (let j = 0; j < g.cols; j++) {
        const byte = g.bytes[i * g.cols + j];
        const c = Math.floor(byte / L), conf = floor + ((byte % L) / (L - 1)) * (1 - floor);
        const a = c === k ? 0.25 + 0.75 * conf : 0; // white where another class wins
        const o = 4 * ((g.rows - 1 - i) * g.cols + j); // row 0 is the plane's bottom
        img.data.set([255 + a * (rgb[0] - 255), 255 + a * (rgb[1] - 255), 255 + a * (rgb[2] - 255), 255], o);
      }
    }
    ctx.putImageData(img, 0, 0);
    let image = nd.g.querySelector("image.class-region");
    if (!image) {
      image = document.createElementNS(NS, "image");
      for (const [a, v] of Object.entries({ x: nd.x - s / 2 + 1, y: nd.y - s / 2 + 1, width: s - 2,
        height: s - 2, preserveAspectRatio: "none", class: "class-region" })) image.setAttribute(a, v);
      nd.rect.after(image);
      nd.g.dataset.testid = "output-node";
    }
    image.setAttribute("href", canvas.toDataURL());
  });
}

let last = 0;
on("network:drawn", (n) => { net = n; painted = null; paintInputs(n); paintOutputs(); });
on("frame", () => {
  const now = performance.now();
  if (now - last < 200) return; // five pictures a second is plenty for a thumbnail
  last = now;
  requestAnimationFrame(paintOutputs);
});
