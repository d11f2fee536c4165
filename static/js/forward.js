// The decision plane drawn from a frame's weights, in the page (TensorFlow Playground's way).
//
// For small plain networks the server leaves the boundary and neuron maps out of its frames
// (`plane_by: "page"`, docs/protocol.md) and sends the weights instead; this module runs the
// same forward pass as the engine (app/nn: a = act(a W + b), then the loss's output) over the
// same grid (app/data: linspace over the bounds, standardized, features) and packs the result
// exactly as app/training/frames/plane.py does, so the rest of the page cannot tell the two
// apart. tests/browser/test_forward.py holds it equal to the engine on every dataset, feature
// set and activation. A network this module does not know (an unknown activation or layer
// kind) gets null, and the page keeps asking the server for grids.

// tanh and sigmoid through exp: the same values to ~1e-16, at less than half the cost of
// Math.tanh in V8 (the plane is 10,000 points x every hidden unit, 30 times a second).
const tanh = (z) => 1 - 2 / (Math.exp(2 * z) + 1);
const ACT = {
  tanh,
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  relu: (z) => (z > 0 ? z : 0),
  leaky_relu: (z) => (z > 0 ? z : 0.01 * z),
  linear: (z) => z,
};
const OUTPUTS = new Set(["softmax", "sigmoid", "linear"]);
const RANGE = { tanh: [-1, 1], sigmoid: [0, 1] }; // bounded: a colour means one value
const FEATURES = {
  x1: (a, b) => a, x2: (a, b) => b, x1_sq: (a) => a * a, x2_sq: (a, b) => b * b,
  x1x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};
const LAYER_KEYS = new Set([
  "name", "fan_in", "fan_out", "activation", "W", "b", "dW", "db", "grad_norm", "weight_norm",
  "update_ratio", "saturated", "dead", "hist",
  // per-layer settings and surgery: drawn here only when they change nothing (a plain layer)
  "norm", "dropout", "residual", "distinct", "frozen", "killed",
]);

/** A layer the plain forward pass computes: no norm, dropout, skip or killed unit. */
const plain = (l) => !l.norm && !l.dropout && !l.residual && !(l.killed?.length);

/** Can the page draw this frame's plane? (2-D data, every weight sent, known layer kinds.) */
export function canDraw(frame, dataset) {
  const inputs = dataset?.inputs;
  if (dataset?.kind !== "2d" || !inputs || !frame?.layers?.length) return false;
  if (!inputs.features.every((f) => f in FEATURES)) return false;
  const last = frame.layers.length - 1;
  return frame.layers.every((l, i) =>
    Object.keys(l).every((k) => LAYER_KEYS.has(k)) && plain(l) &&
    Array.isArray(l.W) && l.W.length === l.fan_in && l.W[0]?.length === l.fan_out &&
    Array.isArray(l.b) && l.b.length === l.fan_out &&
    (i === last ? OUTPUTS.has(l.activation) : l.activation in ACT));
}

/** numpy.linspace(a, b, n). */
function linspace(a, b, n) {
  const out = new Float64Array(n), step = (b - a) / (n - 1);
  for (let k = 0; k < n; k++) out[k] = a + k * step;
  if (n > 1) out[n - 1] = b;
  return out;
}

/** numpy.round: halves to even. */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const grids = new WeakMap(); // dataset message -> {res, X}: the grid is the same every frame

/** Network inputs (R*R, F) of the R x R grid over the bounds, row-major with y as rows. */
export function gridInputs(dataset, res) {
  const kept = grids.get(dataset);
  if (kept?.res === res) return kept.X;
  const X = computeGrid(dataset, res);
  grids.set(dataset, { res, X });
  return X;
}

function computeGrid(dataset, res) {
  const { mean, std, features } = dataset.inputs;
  const xs = linspace(dataset.bounds.x[0], dataset.bounds.x[1], res);
  const ys = linspace(dataset.bounds.y[0], dataset.bounds.y[1], res);
  const F = features.length, fns = features.map((f) => FEATURES[f]);
  const X = new Float64Array(res * res * F);
  for (let i = 0; i < res; i++) {
    const b = (ys[i] - mean[1]) / std[1];
    for (let j = 0; j < res; j++) {
      const a = (xs[j] - mean[0]) / std[0], o = (i * res + j) * F;
      for (let f = 0; f < F; f++) X[o + f] = fns[f](a, b);
    }
  }
  return X;
}

/** Activations of every layer for N inputs X (N*D): [(N*h1), ..., (N*C) outputs]. */
export function forwardLayers(layers, X, N, regression) {
  const acts = [];
  let a = X;
  layers.forEach((l, li) => {
    const D = l.fan_in, H = l.fan_out, W = l.W, b = l.b;
    const z = new Float64Array(N * H);
    const Wf = new Float64Array(D * H); // row-major copy: the inner loop reads it in order
    for (let d = 0; d < D; d++) for (let h = 0; h < H; h++) Wf[d * H + h] = W[d][h] ?? NaN;
    for (let n = 0; n < N; n++) {
      const o = n * H, x = n * D;
      for (let h = 0; h < H; h++) z[o + h] = b[h] ?? NaN;
      for (let d = 0; d < D; d++) {
        const v = a[x + d], w = d * H;
        if (v !== 0) for (let h = 0; h < H; h++) z[o + h] += v * Wf[w + h];
      }
    }
    if (li < layers.length - 1) activate(z, l.activation);
    else output(z, N, H, l.activation, regression);
    acts.push(z);
    a = z;
  });
  return acts;
}

/** A hidden layer's activation in place (tanh and relu inline: the most drawn). */
function activate(z, name) {
  if (name === "tanh") for (let k = 0; k < z.length; k++) z[k] = 1 - 2 / (Math.exp(2 * z[k]) + 1);
  else if (name === "relu") for (let k = 0; k < z.length; k++) z[k] = z[k] > 0 ? z[k] : 0;
  else {
    const f = ACT[name];
    for (let k = 0; k < z.length; k++) z[k] = f(z[k]);
  }
}

/** The loss's output in place (app/nn/losses.py `probs`). */
function output(z, N, C, kind, regression) {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    if (kind === "softmax") {
      let m = -Infinity, s = 0;
      for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
      for (let c = 0; c < C; c++) { z[o + c] = Math.exp(Math.max(z[o + c] - m, -600)); s += z[o + c]; }
      for (let c = 0; c < C; c++) z[o + c] /= s;
    } else if (kind === "sigmoid") {
      for (let c = 0; c < C; c++) z[o + c] = ACT.sigmoid(z[o + c]);
    } else if (!regression) { // mean squared error on classes: clip to [0, 1], normalized
      let s = 0;
      for (let c = 0; c < C; c++) { z[o + c] = Math.min(1, Math.max(0, z[o + c])); s += z[o + c]; }
      if (C > 1) for (let c = 0; c < C; c++) z[o + c] = s === 0 ? 1 / C : z[o + c] / s;
    }
  }
}

/** A decoded grid (grid.js decodeGrid's shape) of R x C values quantized to [lo, hi]. */
function quantize(values, rows, cols, lo, hi) {
  if (lo === null) {
    lo = Infinity; hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (lo === Infinity) { lo = 0; hi = 1; }
  }
  const span = hi > lo ? hi - lo : 1, bytes = new Uint8Array(rows * cols);
  for (let k = 0; k < bytes.length; k++) {
    const q = (values[k] - lo) * (255 / span) + 0.5;
    bytes[k] = Number.isFinite(q) ? Math.trunc(Math.min(255, Math.max(0, q))) : 0;
  }
  return { rows, cols, shape: [rows, cols], bytes, min: lo, max: hi };
}

/**
 * The plane of `frame`'s network as the server would send it: {boundary, neurons}, the grids
 * already decoded. res: the plane's side (100); side: a neuron map's side (its drawn px).
 * Returns null when the page cannot draw this network (see canDraw).
 */
export function pagePlane(frame, dataset, res = 100, side = 24) {
  if (!canDraw(frame, dataset)) return null;
  const N = res * res, regression = dataset.task === "regression";
  const acts = forwardLayers(frame.layers, gridInputs(dataset, res), N, regression);
  const out = acts[acts.length - 1], C = frame.layers[frame.layers.length - 1].fan_out;
  const boundary = {
    xs_range: dataset.bounds.x, ys_range: dataset.bounds.y, resolution: res, full_resolution: res,
  };
  if (regression) {
    const r = dataset.target_range, m = Math.max(Math.abs(r[0]), Math.abs(r[1]));
    const v = new Float64Array(N);
    for (let k = 0; k < N; k++) v[k] = out[k * C];
    Object.assign(boundary, { value: quantize(v, res, res, -m, m), cells: null });
  } else {
    const c = Math.max(dataset.n_classes, 2), levels = Math.floor(256 / c);
    const cells = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      let cls, conf;
      if (C === 1) {
        const p = Number.isNaN(out[k]) ? 0 : out[k];
        cls = p > 0.5 ? 1 : 0; conf = cls === 1 ? p : 1 - p;
      } else {
        cls = 0; conf = -Infinity;
        for (let j = 0; j < C; j++) {
          const p = Number.isNaN(out[k * C + j]) ? 0 : out[k * C + j];
          if (p > conf) { conf = p; cls = j; }
        }
      }
      const t = Math.min(1, Math.max(0, (conf - 1 / c) / (1 - 1 / c)));
      cells[k] = cls * levels + roundHalfEven(t * (levels - 1));
    }
    Object.assign(boundary, { n_classes: c, levels, cells: quantize(cells, res, res, 0, 255), value: null });
  }
  // Neuron maps: the nearest grid cells of the same pass, as the server samples them.
  const s = Math.max(1, Math.min(side, res));
  const pick = Array.from(linspace(0, res - 1, s), roundHalfEven);
  const neurons = acts.slice(0, -1).map((a, li) => {
    const l = frame.layers[li], H = l.fan_out, [lo, hi] = RANGE[l.activation] ?? [null, null];
    return Array.from({ length: Math.min(H, 16) }, (_, h) => {
      const v = new Float64Array(s * s);
      for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) v[i * s + j] = a[(pick[i] * res + pick[j]) * H + h];
      return quantize(v, s, s, lo, hi);
    });
  });
  return { boundary, neurons };
}
