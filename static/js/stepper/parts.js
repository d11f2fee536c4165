// Stages for a hidden layer's own settings: normalise (x̂ = (z − μ)/σ, then γx̂ + β) and its
// backward with the three terms of dz, the dropout mask, the residual's two paths. The numbers
// are the trace's (app/training/teaching/step_through.py, `norm`, `mask`, `dL_da_through`).
import { t as tr } from "../i18n.js";
import { col, num, sig, terms, v } from "./fmt.js";

const line = (html, cls = "") => `<div class="eq ${cls}">${html}</div>`;
const note = (html) => `<p class="eq-note">${html}</p>`;
const sup = (l) => `(${l})`;

/** The part stages of hidden layer l, in the order the pass meets them: forward after the
 * layer's own stage; backward the mask and the norm before it (they lead to dL/dz) and the
 * residual's split after it (it needs dL/dz·Wᵀ). when: "after" or "before". */
export function partStages(layer, l, kind, when = "after") {
  const parts = [];
  if (layer.norm) parts.push("norm");
  if (layer.dropout) parts.push("dropout");
  if (layer.residual) parts.push("residual");
  let ordered = parts;
  if (kind === "backward") {
    ordered = when === "before" ? parts.filter((p) => p !== "residual").reverse()
      : parts.filter((p) => p === "residual");
  }
  return ordered.map((part) => ({ kind, layer: l, column: l, part }));
}

/** A note for the plain forward/backward stage of a layer with settings: its numbers. */
export function hasParts(layer) {
  return !!(layer?.norm || layer?.dropout || layer?.residual);
}

export const partTitle = (s) => tr(`sv.part_${s.part}_${s.kind}`, { l: s.layer });
export const partShort = (s) => `${s.kind === "forward" ? "→" : "←"} ${tr(`sv.part_${s.part}_short`)}${s.layer}`;
export const partStory = (s) => tr(`sv.story_${s.part}_${s.kind}`);

/** The formula of a part stage for unit k of the stage's layer, example n. */
export function partFormula(t, s, k, n) {
  const L = t.layers[s.layer - 1];
  const fn = { norm: s.kind === "forward" ? normForward : normBackward,
    dropout: s.kind === "forward" ? dropForward : dropBackward,
    residual: s.kind === "forward" ? resForward : resBackward }[s.part];
  return fn(L, s.layer, k, n);
}

/** Batch norm's statistics are per unit (a row of the batch); layer norm's per example. */
function stat(L, name, k, n) {
  const a = L.norm[name];
  return L.norm.kind === "batch" ? a[0][k] : a[n][0];
}

function normForward(L, l, k, n) {
  const N = L.norm;
  if (!N.x_hat) return note(tr("sv.wait_too_large"));
  const batch = N.kind === "batch";
  const zs = batch ? col(L.z, k) : L.z[n];
  const mu = stat(L, "mu", k, n), va = stat(L, "var", k, n), sd = stat(L, "std", k, n);
  const z = L.z[n][k], xh = N.x_hat[n][k], y = N.y[n][k];
  const over = tr(batch ? "sv.norm_over_batch" : "sv.norm_over_units", { n: zs.length });
  return line(`μ = ${tr("sv.mean_of")} z = (${terms(zs.map((x) => num(x, { paren: true })), 6)}) / ${zs.length} = ${num(mu, { q: "mu" })}`)
    + line(`σ² = ${tr("sv.mean_of")} (z − μ)² = ${num(va, { q: "var" })}; σ = √(σ² + ε) = ${num(sd, { q: "std" })}`, "sub")
    + line(`${v("x̂", k + 1)} = (z − μ) / σ = (${num(z, { paren: true })} − ${num(mu, { paren: true })}) / ${num(sd)} = ${num(xh, { q: "x_hat" })}`)
    + line(`${v("y", k + 1)} = γ·x̂ + β = ${num(N.gamma[k], { paren: true })}·${num(xh, { paren: true })} + ${num(N.beta[k], { paren: true })} = ${num(y, { q: "y" })}`)
    + line(`${v("a", k + 1, sup(l))} = ${L.activation}(y) = ${num(L.act_out[n][k], { q: "act_out" })}`, "sub")
    + note(`${over} ε = ${N.eps}. ${tr("sv.norm_note", { l })}`);
}

function normBackward(L, l, k, n) {
  const N = L.norm;
  if (!N.dx_hat) return note(tr("sv.wait_too_large"));
  const dxh = N.dx_hat[n][k], m1 = stat(L, "mean_dx_hat", k, n), m2 = stat(L, "mean_dx_hat_x_hat", k, n);
  const xh = N.x_hat[n][k], sd = stat(L, "std", k, n), dz = L.dL_dz[n][k];
  return line(`dL/d${v("x̂", k + 1)} = dL/dy · γ = ${num(N.dL_dy[n][k], { paren: true })}·${num(N.gamma[k], { paren: true })} = ${num(dxh, { q: "dx_hat" })}`)
    + line(`dL/d${v("z", k + 1)} = (dL/dx̂ − ${tr("sv.mean_of")} dL/dx̂ − x̂·${tr("sv.mean_of")}(dL/dx̂·x̂)) / σ`)
    + line(`= (${num(dxh, { paren: true })} − ${num(m1, { paren: true })} − ${num(xh, { paren: true })}·${num(m2, { paren: true })}) / ${num(sd)} = ${num(dz, { q: "dL_dz" })}`, "sub")
    + line(`dL/dγ<sub>${k + 1}</sub> = Σ dL/dy·x̂ = ${num(N.dgamma[k], { q: "dgamma" })}; dL/dβ<sub>${k + 1}</sub> = Σ dL/dy = ${num(N.dbeta[k], { q: "dbeta" })}`, "faint")
    + note(tr("sv.norm_back_note", { t1: sig(dxh / sd), t2: sig(-m1 / sd), t3: sig(-xh * m2 / sd) }));
}

function dropForward(L, l, k, n) {
  if (!L.mask) return note(tr("sv.wait_too_large"));
  const m = L.mask[n][k], f = L.act_out[n][k];
  const kept = L.mask[n].filter((x) => x !== 0).length;
  return line(`mask<sub>${k + 1}</sub> = ${m === 0 ? tr("sv.dropped") : `1 / (1 − p) = ${sig(m)}`}`)
    + line(`${v("a", k + 1, sup(l))} = f(y)·mask = ${num(f, { paren: true })}·${sig(m)} = ${num(f * m, { q: "dropped" })}`)
    + note(tr("sv.dropout_note", { p: L.dropout, kept, n: L.mask[n].length }));
}

function dropBackward(L, l, k, n) {
  if (!L.mask) return note(tr("sv.wait_too_large"));
  const m = L.mask[n][k];
  const dh = L.dL_da[n][k];
  return line(`dL/df = dL/da · mask = ${num(dh, { paren: true })}·${sig(m)} = ${num(dh * m, { q: "dL_df" })}`)
    + note(tr(m === 0 ? "sv.dropped_back_note" : "sv.kept_back_note"));
}

function resForward(L, l, k, n) {
  const x = L.a_in[n][k], h = L.a[n][k];
  return line(`${v("h", k + 1, sup(l))} = layer(x) + x = ${num(h - x, { paren: true })} + ${num(x, { paren: true })} = ${num(h, { q: "h" })}`)
    + note(tr("sv.residual_note"));
}

function resBackward(L, l, k, n) {
  if (!L.dL_da_through || !L.dL_da_in) return note(tr("sv.wait_too_large"));
  const through = L.dL_da_through[n][k], skip = L.dL_da[n][k], total = L.dL_da_in[n][k];
  return line(`dL/d${v("x", k + 1)} = dL/dz·Wᵀ + dL/dh = ${num(through, { paren: true, q: "through" })} + ${num(skip, { paren: true, q: "skip" })} = ${num(total, { q: "dL_da_in" })}`)
    + note(tr("sv.residual_back_note"));
}
