// The trace as a sequence of stages, and names for things in it.

export const LOSS_LABEL = {
  cross_entropy: "softmax + cross-entropy",
  binary_cross_entropy: "sigmoid + binary cross-entropy",
  mse: "linear + mean squared error",
};

/** forward 1..L, loss, backward L..1, update. */
export function buildStages(t) {
  const L = t.layers.length;
  const out = [];
  for (let l = 1; l <= L; l++) out.push({ kind: "forward", layer: l, column: l });
  out.push({ kind: "loss", layer: L, column: L });
  for (let l = L; l >= 1; l--) out.push({ kind: "backward", layer: l, column: l });
  out.push({ kind: "update", layer: null, column: null });
  return out;
}

export function layerName(t, l) {
  const L = t.layers.length;
  if (l === L) return "output layer";
  return `hidden layer ${l}`;
}

export function stageTitle(t, s) {
  const L = t.layers.length;
  const act = (l) => t.layers[l - 1].activation; // the output layer's is the loss's
  switch (s.kind) {
    case "forward": return `Forward · ${layerName(t, s.layer)} (${act(s.layer)})`;
    case "loss": return `Loss · ${LOSS_LABEL[t.loss_name] ?? t.loss_name}`;
    case "backward": return `Backward · ${layerName(t, s.layer)}`;
    default: return `Update · ${t.optimizer}`;
  }
}

export function stageShort(t, s) {
  const L = t.layers.length;
  const n = (l) => (l === L ? "out" : `h${l}`);
  return { forward: `→ ${n(s.layer)}`, loss: "Loss", backward: `← ${n(s.layer)}`, update: "Update" }[s.kind];
}

/** One or two sentences that say what happens in this stage. */
export function stageStory(t, s) {
  const L = t.layers.length;
  const N = t.batch_size;
  const batch = N === 1 ? "the one example" : `all ${N} examples of the mini-batch at once`;
  if (s.kind === "forward") {
    const l = s.layer;
    const f = t.layers[l - 1].activation;
    return `Each neuron of ${layerName(t, l)} takes the previous layer's outputs a, computes `
      + `<b>z = a·W + b</b>, then <b>a = ${f}(z)</b> — for ${batch}. `
      + (l === L ? "These are the network's predictions ŷ." : "Its outputs feed the next layer.");
  }
  if (s.kind === "loss") {
    return "The loss compares the predictions with the true labels and averages over the batch. "
      + "One number says how wrong the network is; backprop asks how each weight moved it.";
  }
  if (s.kind === "backward") {
    const l = s.layer;
    if (l === L) {
      return "Backward starts at the output: for this output + loss pair the chain rule "
        + "collapses to <b>dL/dz = (prediction − target) / N</b>. Edges now show dL/dW.";
    }
    return `The error flows back through the weights: <b>dL/da = Σ dL/dz<sub>next</sub>·W</b>, `
      + `then through the activation: <b>dL/dz = dL/da · f′(z)</b>. `
      + `Each weight's gradient is <b>dL/dW = a<sub>in</sub>ᵀ · dL/dz</b>, summed over the batch.`;
  }
  return `The optimizer (${t.optimizer}) turns each gradient into a step: `
    + "<b>W<sub>new</sub> = W + ΔW</b>. Then the same batch is evaluated again: the loss went "
    + (t.loss_after <= t.loss_before ? "down." : "up (the step overshot).");
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
  return s.kind === "backward" ? "dL/dW" : s.kind === "update" ? "ΔW" : "weight";
}

/** Value shown inside neuron k of column c for example n, or null when not known yet. */
export function neuronValue(t, s, c, k, n) {
  const L = t.layers.length;
  if (c === 0) return t.layers[0].a_in?.[n]?.[k] ?? null;
  const layer = t.layers[c - 1];
  if (s.kind === "forward") return c <= s.layer ? layer.a?.[n]?.[k] ?? null : null;
  if (s.kind === "loss") return layer.a?.[n]?.[k] ?? null;
  if (s.kind === "backward") return c >= s.layer ? layer.dL_dz?.[n]?.[k] ?? null : null;
  return layer.dL_dz?.[n]?.[k] ?? null;
}

export function neuronValueLabel(s) {
  return s.kind === "backward" || s.kind === "update" ? "dL/dz" : "a";
}
