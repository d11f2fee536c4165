// The formula panel: the equation of the current stage for the selected neuron or edge, with
// the trace's actual numbers substituted. Every result carries data-quantity / data-value.
import { t as tr } from "../i18n.js";
import { col, esc, num, sig, sum, terms, v } from "./fmt.js";

const sup = (l) => `(${l})`;
const line = (html, cls = "") => `<div class="eq ${cls}">${html}</div>`;
const note = (html) => `<p class="eq-note">${html}</p>`;
const times = (a, b) => `${num(a, { paren: true })}·${num(b, { paren: true })}`;

function className(t, k) {
  return t.class_names?.[k] ?? String(k);
}

/** The target t_nk the loss compares output k with. */
function target(t, n, k) {
  const K = t.layers[t.layers.length - 1].z[0].length;
  const y = t.labels[n];
  return K === 1 ? y : y === k ? 1 : 0;
}

// ---- forward ------------------------------------------------------------------------------
function activation(t, c, k, n) {
  const L = t.layers.length;
  const layer = t.layers[c - 1];
  const z = layer.z[n][k];
  const a = layer.a[n][k];
  const A = v("a", k + 1, sup(c));
  if (c === L) {
    const out = layer.activation; // the loss's own: softmax, sigmoid or linear
    const Y = v("ŷ", k + 1);
    if (out === "softmax") {
      const zs = layer.z[n];
      const den = zs.map((zz, j) => `e<sup>${sig(zz)}</sup>`);
      return line(`${Y} = softmax(z)<sub>${k + 1}</sub> = e<sup>z<sub>${k + 1}</sub></sup> / Σ<sub>j</sub> e<sup>z<sub>j</sub></sup>`)
        + line(`= e<sup>${sig(z)}</sup> / (${terms(den, 5)}) = ${num(Math.exp(z))} / ${num(sum(zs.map(Math.exp)))} = ${num(a, { q: "a" })}`, "sub")
        + note(tr("eq.softmax_note", { c: esc(className(t, k)) }));
    }
    if (out === "sigmoid") {
      return line(`${v("p")} = σ(z) = 1 / (1 + e<sup>−z</sup>) = 1 / (1 + e<sup>${sig(-z)}</sup>) = ${num(a, { q: "a" })}`)
        + note(tr("eq.sigmoid_note"));
    }
    return line(`${Y} = z = ${num(a, { q: "a" })}`) + note(tr("eq.linear_note"));
  }
  const f = layer.activation;
  const Z = num(z);
  const rhs = {
    tanh: `tanh(${Z})`,
    sigmoid: `1 / (1 + e<sup>${sig(-z)}</sup>)`,
    relu: `max(0, ${Z})`,
    leaky_relu: z > 0 ? `${Z} <span class="why">(z &gt; 0)</span>` : `${t.leaky_slope}·${Z} <span class="why">(z ≤ 0)</span>`,
    linear: Z,
  }[f] ?? `${f}(${Z})`;
  return line(`${A} = ${f}(${v("z", k + 1, sup(c))}) = ${rhs} = ${num(a, { q: "a" })}`);
}

export function forwardNeuron(t, c, k, n) {
  const layer = t.layers[c - 1];
  const Z = v("z", k + 1, sup(c));
  const b = layer.b[k];
  let sub;
  if (layer.a_in && layer.W) {
    const parts = layer.a_in[n].map((a, i) => times(a, layer.W[i][k]));
    sub = `${terms(parts)} + ${num(b, { paren: true })}`;
  } else {
    const fanIn = layer.shape?.[0] ?? "all";
    sub = `<span class="more">${tr("eq.too_many", { n: fanIn })}</span> + ${num(b, { paren: true })}`;
  }
  return line(`${Z} = Σ<sub>i</sub> ${v("a", "i", sup(c - 1))}·${v("W", `i${k + 1}`, sup(c))} + ${v("b", k + 1, sup(c))}`)
    + line(`= ${sub} = ${num(layer.z[n][k], { q: "z" })}`, "sub")
    + activation(t, c, k, n);
}

export function inputNeuron(t, k, n) {
  const x = t.layers[0].a_in?.[n]?.[k];
  const name = t.input_names?.[k] ?? `x${k + 1}`;
  if (x === undefined) return note(tr("eq.pixels"));
  return line(`${v("a", k + 1, sup(0))} = ${esc(name)} = ${num(x, { q: "x" })}`)
    + note(tr("eq.input_note"));
}

// ---- loss ---------------------------------------------------------------------------------
export function lossFormula(t, n) {
  const L = t.layers.length;
  const out = t.layers[L - 1];
  const N = t.batch_size;
  const mark = (html, i) => (i === n ? `<mark>${html}</mark>` : html);
  let head, parts, mine;
  if (t.loss_name === "cross_entropy") {
    head = `L = −(1/N) Σ<sub>n</sub> log ${v("ŷ", "n,y<sub>n</sub>")}`;
    parts = out.a.map((row, i) => mark(`log ${num(row[t.labels[i]])}`, i));
    const p = out.a[n][t.labels[n]];
    mine = `${tr("eq.example_label", { i: n + 1, c: esc(className(t, t.labels[n])) })}: ŷ = ${num(p)}, −log ŷ = ${num(-Math.log(p))}`;
  } else if (t.loss_name === "binary_cross_entropy") {
    head = `L = −(1/N) Σ<sub>n</sub> [y log p + (1 − y) log(1 − p)]`;
    parts = out.a.map((row, i) => mark(t.labels[i] ? `log ${num(row[0])}` : `log(1 − ${num(row[0])})`, i));
    const p = out.a[n][0], y = t.labels[n];
    mine = `${tr("eq.example", { i: n + 1 })}: y = ${y}, p = ${num(p)}, ${tr("eq.its_loss")} = ${num(-(y ? Math.log(p) : Math.log(1 - p)))}`;
  } else {
    head = `L = (1/N) Σ<sub>n</sub> ½ Σ<sub>k</sub> (z<sub>nk</sub> − t<sub>nk</sub>)²`;
    const per = out.z.map((row, i) => 0.5 * sum(row.map((z, k) => (z - target(t, i, k)) ** 2)));
    parts = per.map((x, i) => mark(num(x), i));
    mine = `${tr("eq.example", { i: n + 1 })}: ½‖z − t‖² = ${num(per[n])}`;
  }
  const sign = t.loss_name === "mse" ? "" : "−";
  return line(head)
    + line(`= ${sign}(1/${N}) · (${terms(parts, 8)}) = ${num(t.loss, { q: "loss" })}`, "sub")
    + note(mine);
}

// ---- backward -----------------------------------------------------------------------------
function fPrime(t, f, z, a, fp) {
  const Z = num(z, { paren: true });
  const A = num(a, { paren: true });
  switch (f) {
    case "tanh": return `1 − a² = 1 − ${A}² = ${num(fp, { q: "f_prime" })}`;
    case "sigmoid": return `a(1 − a) = ${A}·(1 − ${A}) = ${num(fp, { q: "f_prime" })}`;
    case "relu": return `${tr(z > 0 ? "eq.one_since_pos" : "eq.zero_since_neg", { v: 0 })} (z = ${Z}) = ${num(fp, { q: "f_prime" })}`;
    case "leaky_relu": return `${tr(z > 0 ? "eq.one_since_pos" : "eq.zero_since_neg", { v: t.leaky_slope })} (z = ${Z}) = ${num(fp, { q: "f_prime" })}`;
    case "linear": return `1 = ${num(fp, { q: "f_prime" })}`;
    default: return num(fp, { q: "f_prime" });
  }
}

export function backwardNeuron(t, c, k, n) {
  const L = t.layers.length;
  const layer = t.layers[c - 1];
  const N = t.batch_size;
  const dz = layer.dL_dz[n][k];
  const DZ = `dL/d${v("z", k + 1, sup(c))}`;
  let html = "";
  if (c === L) {
    const y = target(t, n, k);
    const pred = t.loss_name === "mse" ? layer.z[n][k] : layer.a[n][k];
    const [P, T] = { cross_entropy: ["ŷ", "y"], binary_cross_entropy: ["p", "y"], mse: ["z", "t"] }[t.loss_name] ?? ["ŷ", "y"];
    // a regression's target is a real number: no class to name, and shown rounded
    const values = t.task === "regression";
    const yShown = values ? num(y) : y;
    html += line(`${DZ} = (${v(P, k + 1)} − ${v(T, k + 1)}) / N = (${num(pred)} − ${yShown}) / ${N} = ${num(dz, { q: "dL_dz" })}`)
      + note(values ? tr("eq.target_value_note", { T, y: yShown, i: n + 1 })
        : tr("eq.target_note", { T, y, c: esc(className(t, k)), i: n + 1, label: esc(className(t, t.labels[n])) }));
  } else {
    const next = t.layers[c];
    const da = layer.dL_da[n][k];
    let sub;
    if (next.W && next.dL_dz) {
      sub = terms(next.dL_dz[n].map((d, j) => times(d, next.W[k][j])));
    } else sub = `<span class="more">${tr("eq.weights_not_sent")}</span>`;
    html += line(`dL/d${v("a", k + 1, sup(c))} = Σ<sub>j</sub> dL/d${v("z", "j", sup(c + 1))}·${v("W", `${k + 1}j`, sup(c + 1))} = ${sub} = ${num(da, { q: "dL_da" })}`)
      + line(`f′(z) = ${fPrime(t, layer.activation, layer.z[n][k], layer.a[n][k], layer.f_prime[n][k])}`, "sub")
      + line(`${DZ} = dL/da · f′(z) = ${times(da, layer.f_prime[n][k])} = ${num(dz, { q: "dL_dz" })}`);
  }
  const dzs = col(layer.dL_dz, k);
  html += line(`dL/d${v("b", k + 1, sup(c))} = Σ<sub>n</sub> dL/d${v("z", `n,${k + 1}`)} = ${terms(dzs.map((d) => num(d, { paren: true })), 6)} = ${num(layer.db[k], { q: "db" })}`, "faint")
    + note(N > 1 ? tr("eq.bias_note", { i: n + 1, n: N }) : "");
  return html;
}

export function edgeGradient(t, l, i, j) {
  const layer = t.layers[l - 1];
  const data = layer.a_in.map((row, n) => row[i] * layer.dL_dz[n][j]);
  const parts = layer.a_in.map((row, n) => times(row[i], layer.dL_dz[n][j]));
  const W = layer.W[i][j];
  let reg = "", regSym = "";
  if (t.l2) { reg += ` + ${t.l2}·${num(W, { paren: true })}`; regSym += ` + λ₂W`; }
  if (t.l1) { reg += ` + ${t.l1}·${Math.sign(W)}`; regSym += ` + λ₁ sign(W)`; }
  const DW = `dL/d${v("W", `${i + 1}${j + 1}`, sup(l))}`;
  return line(`${DW} = Σ<sub>n</sub> ${v("a", `n,${i + 1}`, sup(l - 1))}·dL/d${v("z", `n,${j + 1}`, sup(l))}${regSym}`)
    + line(`= ${terms(parts, 6)}${reg} = ${num(layer.dW[i][j], { q: "dW" })}`, "sub")
    + note(tr(reg ? "eq.dw_note_reg" : "eq.dw_note", { i: i + 1, j: j + 1, n: t.batch_size, data: num(sum(data)) }));
}

// ---- update -------------------------------------------------------------------------------
function rule(t, G, P) {
  const lr = `η`;
  const d = {
    sgd: `Δ${P} = −${lr}·${G}`,
    momentum: `v ← μv − ${lr}·${G}; Δ${P} = v`,
    nesterov: `v ← μv − ${lr}·${G}; Δ${P} = μv − ${lr}·${G}`,
    rmsprop: `s ← ρs + (1 − ρ)${G}²; Δ${P} = −${lr}·${G} / (√s + ε)`,
    adam: `m ← β₁m + (1 − β₁)${G}; v ← β₂v + (1 − β₂)${G}²; Δ${P} = −${lr}·m̂ / (√v̂ + ε)`,
  }[t.optimizer] ?? `Δ${P} = step(${G})`;
  const hp = { sgd: "", momentum: `, μ = ${t.momentum}`, nesterov: `, μ = ${t.momentum}`,
    rmsprop: `, ρ = ${t.rho}`, adam: `, β₁ = ${t.beta1}, β₂ = ${t.beta2}` }[t.optimizer] ?? "";
  return line(d, "faint") + note(`η = ${t.learning_rate}${hp}` + (t.optimizer === "sgd" ? "" : `. ${tr("eq.opt_state")}`));
}

function update(t, P, old, g, delta, neu) {
  let html = rule(t, `dL/d${P}`, P);
  if (t.optimizer === "sgd") {
    html += line(`${P} ← ${P} − η·dL/d${P} = ${num(old, { paren: true })} − ${t.learning_rate}·${num(g, { paren: true })} = ${num(neu, { q: "new" })}`);
  } else {
    html += line(`${P} ← ${P} + Δ${P} = ${num(old, { paren: true })} + ${num(delta, { paren: true })} = ${num(neu, { q: "new" })}`)
      + note(tr("eq.applied", { g: num(g), d: num(delta) }));
  }
  return html;
}

export function edgeUpdate(t, l, i, j) {
  const ly = t.layers[l - 1];
  return update(t, v("W", `${i + 1}${j + 1}`, sup(l)), ly.W[i][j], ly.dW[i][j], ly.delta_W[i][j], ly.W_new[i][j]);
}

export function biasUpdate(t, c, k) {
  const ly = t.layers[c - 1];
  return update(t, v("b", k + 1, sup(c)), ly.b[k], ly.db[k], ly.delta_b[k], ly.b_new[k]);
}

export function edgeForward(t, l, i, j, n) {
  const ly = t.layers[l - 1];
  const w = ly.W[i][j];
  const a = ly.a_in?.[n]?.[i];
  return line(`${v("W", `${i + 1}${j + 1}`, sup(l))} = ${num(w, { q: "W" })}`)
    + (a === undefined ? "" : line(`${tr("eq.share_of", { z: v("z", j + 1, sup(l)) })}: ${v("a", i + 1, sup(l - 1))}·W = ${times(a, w)} = ${num(a * w)}`, "sub"))
    + note(tr("eq.forward_uses"));
}
