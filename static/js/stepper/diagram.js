// The network diagram inside the step-through: network.js draws it; this lights the current
// layer, writes each neuron's value for the selected example, and makes neurons and edges
// clickable (a wide invisible path over each edge).
import { t as tr } from "../i18n.js";
import { drawNetwork } from "../network.js";
import { diverging } from "../grid.js";
import { short, sig } from "./fmt.js";
import { columnRow, edgeLabel, edgeValues, forwardReached, neuronValue, neuronValueLabel } from "./model.js";

const NS = "http://www.w3.org/2000/svg";

export function createDiagram(svg, t, { onSelect, width, height }) {
  const sizes = [t.layers[0].shape[0], ...t.layers.map((l) => l.shape[1])];
  const K = sizes[sizes.length - 1];
  const inputLabels = t.input_names?.length === sizes[0] ? t.input_names : null;
  const outputLabels = K > 1 ? t.class_names : null;
  const net = drawNetwork(svg, sizes, { inputLabels, outputLabels, maxNodes: 12, nodeSize: 46,
    showImages: false, width, height });
  const hits = document.createElementNS(NS, "g");
  hits.setAttribute("class", "sv-hits");
  svg.querySelector("g.nodes").before(hits);
  net.edges.forEach((list, li) => {
    for (const e of list) {
      if (e.i < 0) continue;
      const p = document.createElementNS(NS, "path");
      p.setAttribute("d", e.path.getAttribute("d"));
      p.setAttribute("class", "sv-hit");
      p.dataset.layer = li + 1;
      p.dataset.i = e.i;
      p.dataset.j = e.j;
      p.dataset.testid = "stepper-edge";
      p.addEventListener("click", () => onSelect({ type: "edge", layer: li + 1, i: e.i, j: e.j }));
      hits.append(p);
      e.hit = p;
    }
  });
  net.nodes.forEach((colNodes, c) => colNodes.forEach((nd, k) => {
    if (!nd.g) return;
    nd.g.dataset.testid = "stepper-neuron";
    Object.assign(nd.g.dataset, { col: c, k });
    nd.g.addEventListener("click", () => onSelect({ type: "neuron", col: c, k }));
    // Small boxes (wide layers): the value goes beside the box, outputs on their left.
    const txt = document.createElementNS(NS, "text");
    const s = net.nodeSize;
    const outside = s < 34;
    const left = c === sizes.length - 1;
    txt.setAttribute("x", outside ? nd.x + (left ? -1 : 1) * (s / 2 + 3) : nd.x);
    txt.setAttribute("y", nd.y + (outside ? 3 : 4));
    txt.setAttribute("class", outside ? "sv-val outside" : "sv-val");
    txt.setAttribute("text-anchor", outside ? (left ? "end" : "start") : "middle");
    nd.g.append(txt);
    nd.val = txt;
  }));

  function render(stage, n, sel) {
    net.update({ weights: edgeValues(t, stage), label: edgeLabel(stage) });
    const cur = stage.column;
    const L = sizes.length - 1;
    net.nodes.forEach((colNodes, c) => {
      const pending = stage.kind === "forward" ? c > cur : stage.kind === "backward" ? c < cur : false;
      colNodes.forEach((nd, k) => {
        const g = nd.g ?? null;
        if (!g) {
          svg.querySelector(".node.block")?.classList.toggle("sv-pending", pending);
          return;
        }
        g.classList.toggle("sv-current", c === cur);
        g.classList.toggle("sv-pending", pending);
        g.classList.toggle("sv-selected", sel?.type === "neuron" && sel.col === c && sel.k === k);
        // dropout: a unit this step dropped for this example (mask 0), once the pass has met
        // the layer's dropout
        const mask = c > 0 ? t.layers[c - 1].mask : null;
        g.classList.toggle("sv-dropped", !!mask && mask[n]?.[k] === 0 && forwardReached(stage, c, "dropout"));
        const val = neuronValue(t, stage, c, k, n);
        g.dataset.value = val ?? "";
        g.dataset.quantity = neuronValueLabel(t, stage, c);
        nd.val.textContent = val === null ? "" : short(val);
        const scale = colScale(t, stage, c, n);
        const rgb = val === null ? [255, 255, 255] : diverging(val / scale);
        nd.rect.style.fill = `rgb(${rgb.map(Math.round).join(",")})`;
        nd.val.classList.toggle("light", val !== null && Math.abs(val / scale) > 0.6 && !nd.val.classList.contains("outside"));
        g.querySelector("title")?.remove();
        const title = document.createElementNS(NS, "title");
        title.textContent = val === null ? tr("sv.node_wait") : `${g.dataset.quantity} = ${sig(val)} ${tr("sv.node_click")}`;
        g.append(title);
      });
    });
    net.edges.forEach((list, li) => {
      const l = li + 1;
      const active = stage.kind === "update" || l === stage.layer;
      for (const e of list) {
        e.path.classList.toggle("sv-active", active);
        e.path.classList.toggle("sv-faded", !active && stage.kind !== "loss");
        const on = sel?.type === "edge" && sel.layer === l && sel.i === e.i && sel.j === e.j;
        e.path.classList.toggle("sv-selected", on);
        e.hit?.classList.toggle("sv-selected", on);
      }
    });
    svg.dataset.stage = stage.kind;
    void L;
  }
  return { net, render };
}

function colScale(t, stage, c, n) {
  const row = columnRow(t, stage, c, n) ?? [];
  return Math.max(1e-12, ...row.map(Math.abs));
}
