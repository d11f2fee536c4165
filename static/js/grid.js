// Quantized grids (docs/protocol.md "Grids") and colours.

/** Decode {shape, min, max, b64} to {rows, cols, bytes: Uint8Array, min, max}. */
export function decodeGrid(g) {
  if (g.bytes) return g; // decoded already: a plane the page drew itself (forward.js)
  const bin = atob(g.b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { rows: g.shape[0], cols: g.shape[1], bytes, min: g.min, max: g.max };
}

/** Value of byte b in a decoded grid. */
export function value(d, b) {
  return d.min + (b / 255) * (d.max - d.min);
}

// TF Playground colours: orange for negative / class 0, blue for positive / class 1.
export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
export const WHITE = [255, 255, 255];
/** Plotly's config for every plot: its toolbar (on hover) offers only "download as PNG". */
export function plotConfig(name) {
  return {
    responsive: true,
    displaylogo: false,
    modeBarButtons: [["toImage"]],
    toImageButtonOptions: { filename: `backprop-playground-${name}`, scale: 2 },
  };
}

export const PALETTE = [
  "#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
export const PALETTE_RGB = PALETTE.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

export function classColor(k, nClasses) {
  if (nClasses <= 2) return k === 0 ? PALETTE[0] : PALETTE[1];
  return PALETTE[k % PALETTE.length];
}

/** Plotly colour scale for P(class 1): orange → white → blue. */
export const DIVERGING = [
  [0, "rgb(245,147,34)"],
  [0.5, "rgb(255,255,255)"],
  [1, "rgb(8,119,189)"],
];

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Diverging colour for t in [-1, 1]: orange (−) → white (0) → blue (+). */
export function diverging(t) {
  t = Math.max(-1, Math.min(1, t));
  return t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
}

const scratch = document.createElement("canvas");

/**
 * Paint a decoded grid into an RGBA canvas and return a data URL.
 * colorOf(k) -> [r, g, b] for cell k; flipY puts row 0 at the bottom (2-D plots).
 */
export function gridToDataURL(d, colorOf, flipY = true) {
  scratch.width = d.cols;
  scratch.height = d.rows;
  const ctx = scratch.getContext("2d");
  const img = ctx.createImageData(d.cols, d.rows);
  for (let i = 0; i < d.rows; i++) {
    const row = flipY ? d.rows - 1 - i : i;
    for (let j = 0; j < d.cols; j++) {
      const c = colorOf(i * d.cols + j);
      const o = (row * d.cols + j) * 4;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return scratch.toDataURL();
}

/** Data URL of a grid coloured diverging around 0 (weights, neuron outputs). */
export function divergingURL(g, flipY = true) {
  const d = decodeGrid(g);
  const m = Math.max(Math.abs(d.min), Math.abs(d.max)) || 1;
  const lut = [];
  for (let b = 0; b < 256; b++) lut.push(diverging(value(d, b) / m));
  return gridToDataURL(d, (k) => lut[d.bytes[k]], flipY);
}

/** Paint a grid into a given canvas element (grey levels, 0 = white, 1 = black ink). */
export function paintInk(canvas, g) {
  const d = decodeGrid(g);
  canvas.width = d.cols;
  canvas.height = d.rows;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(d.cols, d.rows);
  const span = d.max - d.min || 1;
  for (let k = 0; k < d.rows * d.cols; k++) {
    const v = (value(d, d.bytes[k]) - d.min) / span;
    const c = 255 - Math.round(v * 255);
    img.data[4 * k] = c;
    img.data[4 * k + 1] = c;
    img.data[4 * k + 2] = c;
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return x.toExponential(2);
  return x.toFixed(digits);
}
