// The trace as a sequence of stages, and names for things in it.
import { t as tr } from "../i18n.js";
import { optionLabel } from "../controls.js";
import { partShort, partStages, partStory, partTitle } from "./parts.js";

/** forward 1..L, loss, backward L..1, update; a hidden layer's norm, dropout and residual
 * get stages of their own after its forward and before its backward (parts.js). */
export function buildStages(t) {
  const L = t.layers.length;
  const out = [];
  for (let l = 1; l <= L; l++) {
    out.push({ kind: "forward", layer: l, column: l });
    if (l < L) out.push(...partStages(t.layers[l - 1], l, "forward"));
  }
  out.push({ kind: "loss", layer: L, column: L });
  for (let l = L; l >= 1; l--) {
    if (l < L) out.push(...partStages(t.layers[l - 1], l, "backward", "before"));
    out.push({ kind: "backward", layer: l, column: l });
    if (l < L) out.push(...partStages(t.layers[l - 1], l, "backward", "after"));
  }
  out.push({ kind: "update", layer: null, column: null });
  return out;
}

export function layerName(t, l) {
  const L = t.layers.length;
  if (l === L) return tr("sv.output_layer");
  return tr("sv.hidden_layer", { l });
}

export function stageTitle(t, s) {
  const L = t.layers.length;
  const act = (l) => t.layers[l - 1].activation; // the output layer's is the loss's
  const name = () => ({ layer: layerName(t, s.layer), act: act(s.layer) });
  if (s.part) return partTitle(s);
  switch (s.kind) {
    case "forward": return tr("sv.title_forward", name());
    case "loss": return tr("sv.title_loss", { loss: tr(`sv.loss_${t.loss_name}`, null, t.loss_name) });
    case "backward": return tr("sv.title_backward", name());
    default: return tr("sv.title_update", { opt: optionLabel(t.optimizer) });
  }
}

export function stageShort(t, s) {
  const L = t.layers.length;
  const n = (l) => (l === L ? tr("sv.short_out") : `h${l}`);
  if (s.part) return partShort(s);
  return { forward: `→ ${n(s.layer)}`, loss: tr("sv.short_loss"), backward: `← ${n(s.layer)}`,
    update: tr("sv.short_update") }[s.kind];
}

/** One or two sentences that say what happens in this stage. */
export function stageStory(t, s) {
  const L = t.layers.length;
  const N = t.batch_size;
  const batch = tr("sv.story_batch", { n: N });
  if (s.part) return partStory(s);
  if (s.kind === "forward") {
    const l = s.layer;
    const f = t.layers[l - 1].activation;
    return tr("sv.story_forward", { layer: layerName(t, l), f, batch }) + " "
      + tr(l === L ? "sv.story_forward_out" : "sv.story_forward_hidden");
  }
  if (s.kind === "loss") return tr("sv.story_loss");
  if (s.kind === "backward") return tr(s.layer === L ? "sv.story_backward_out" : "sv.story_backward");
  return tr("sv.story_update", { opt: optionLabel(t.optimizer) }) + " "
    + tr(t.loss_after <= t.loss_before ? "sv.story_down" : "sv.story_up");
}

/** Which edge array the diagram shows in a stage, and whether layer l has it yet. */
export function edgeValues(t, s) {
  const L = t.layers.length;
  return t.layers.map((layer, i) => {
    const l = i + 1;
    if (s.kind === "forward" || s.kind === "loss") return layer.W;
    if (s.kind === "backward") return l >= s.layer ? layer.dW : null;
    return layer.delta_W;
  }).slice(0, L);
}

export function edgeLabel(s) {
  return s.kind === "backward" ? "dL/dW" : s.kind === "update" ? "ΔW" : tr("net.weight");
}

// Within a hidden layer the forward pass meets its parts in this order (parts.js): the
// layer's own stage (z = Wx + b, then f = act(z) when no norm follows), norm, dropout, residual.
const RANK = { undefined: 0, norm: 1, dropout: 2, residual: 3 };

/** Has the forward pass of stage s got past `part` of column c's layer? */
export function forwardReached(s, c, part) {
  if (s.kind !== "forward") return true; // loss, backward, update: the pass is over
  return s.layer > c || (s.layer === c && RANK[s.part] >= RANK[part]);
}

/** What column c holds at stage s: "a", "z", "dL/df", "dL/dz"..., and its values
 * (N, units), or null when the pass has not reached it. */
function columnValues(t, s, c) {
  if (c === 0) return { label: "x", values: t.layers[0].a_in };
  const layer = t.layers[c - 1];
  if (s.kind === "forward" && s.layer < c) return null;
  if (s.kind === "forward" && s.layer === c && c < t.layers.length) {
    const part = s.part;
    if (!part) return layer.norm ? { label: "z", values: layer.z } : { label: "a", values: layer.act_out ?? layer.a };
    if (part === "norm") return { label: "a", values: layer.act_out ?? layer.a };
    if (part === "dropout" && layer.residual && layer.act_out && layer.mask) {
      return { label: "a", values: layer.act_out.map((row, n) => row.map((f, k) => f * layer.mask[n][k])) };
    }
    return { label: part === "residual" ? "h" : "a", values: layer.a };
  }
  if (s.kind === "forward" || s.kind === "loss") return { label: "a", values: layer.a };
  if (s.kind === "backward" && s.layer > c) return null;
  if (s.kind === "backward" && s.layer === c && s.part === "dropout" && layer.mask && layer.dL_da) {
    return { label: "dL/df", values: layer.dL_da.map((row, n) => row.map((d, k) => d * layer.mask[n][k])) };
  }
  return { label: "dL/dz", values: layer.dL_dz };
}

/** Value shown inside neuron k of column c for example n, or null when not known yet. */
export function neuronValue(t, s, c, k, n) {
  return columnValues(t, s, c)?.values?.[n]?.[k] ?? null;
}

/** The values column c shows for example n (for its colour scale), or null. */
export function columnRow(t, s, c, n) {
  return columnValues(t, s, c)?.values?.[n] ?? null;
}

/** The name of what column c shows at stage s: a, z, h, dL/df or dL/dz. */
export function neuronValueLabel(t, s, c) {
  return columnValues(t, s, c)?.label ?? (s.kind === "backward" || s.kind === "update" ? "dL/dz" : "a");
}
