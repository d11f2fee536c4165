// The network diagram (SVG), reusable: the backprop stepper draws with it too.
//
//   const net = drawNetwork(svg, [2, 4, 4, 1], {inputLabels: ["X₁", "X₂"]});
//   net.update({weights: [W1, W2, W3], images: [null, [url, ...], [url, ...], null]});
//   net.paintMaps([null, [grid, ...], [grid, ...], null]);  // option mapsCanvas: one canvas
//   net.highlight(layerIndex | null); net.nodeCenter(l, k) -> {x, y}; net.columnX(l)
//
// sizes[l] is the width of column l (inputs first, outputs last); W of layer l (between column
// l and l+1) is fan_in x fan_out, as in frame.layers[].W. Columns wider than maxNodes are
// collapsed: an input block ("784 inputs") or the first maxNodes neurons plus "+N more".
import { t as tr } from "./i18n.js";

import { decodeGrid, diverging, value } from "./grid.js";

const NS = "http://www.w3.org/2000/svg";
const POS = "#0877bd";
const NEG = "#f59322";

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

/**
 * Draw a network into `svg` (cleared first). Options: inputLabels, outputLabels, maxNodes (16),
 * nodeSize (max px), width/height (default: the svg's box), onNeuronHover(l, k | null),
 * showImages (true: hidden neurons get an <image> for their output map), mapsCanvas (false:
 * output maps are painted by paintMaps on one canvas over the svg, not as <image> elements).
 */
export function drawNetwork(svg, sizes, options = {}) {
  const o = { maxNodes: 16, nodeSize: 40, showImages: true, ...options };
  const box = svg.getBoundingClientRect();
  // The box's own size (a phone's may be under 300 px): maps painted over it must line up.
  const W = o.width ?? (box.width || 300);
  const H = o.height ?? (box.height || 240);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const L = sizes.length;
  const shownCount = sizes.map((n, l) => (n > o.maxNodes ? (l === 0 ? 1 : o.maxNodes) : n));
  const maxShown = Math.max(...shownCount.map((n, l) => (l === 0 && sizes[0] > o.maxNodes ? 4 : n)));
  // The bottom line holds each hidden column's "distinct units" (lab/surgery.js, at H - 4);
  // a column cut to maxNodes gets its "+N more" on a line of its own above that one.
  const cut = sizes.some((n, l) => l > 0 && n > o.maxNodes);
  const top = 14, bottom = cut ? 36 : 26;
  const pitch = (H - top - bottom) / Math.max(maxShown, 1);
  const s = Math.max(8, Math.min(o.nodeSize, pitch * 0.78));
  // Room for the labels beside the input and output columns ("sin(X₁)" is wider than "X₁").
  const room = (labels) => 10 + 6.5 * Math.max(0, ...(labels ?? []).map((t) => String(t).length));
  const padL = s / 2 + Math.max(34, room(o.inputLabels));
  const padR = s / 2 + Math.max(34, room(o.outputLabels));
  const columnX = (l) => (L === 1 ? W / 2 : padL + (l * (W - padL - padR)) / (L - 1));

  const gEdges = el("g", { class: "edges" }, svg);
  const gNodes = el("g", { class: "nodes" }, svg);
  const nodes = []; // nodes[l][k] = {x, y, rect, image}
  for (let l = 0; l < L; l++) {
    const col = [];
    const x = columnX(l);
    const block = l === 0 && sizes[0] > o.maxNodes;
    const n = shownCount[l];
    const colH = block ? Math.min(H - top - bottom, 4 * pitch) : n * pitch;
    const y0 = top + (H - top - bottom - colH) / 2;
    if (block) {
      const g = el("g", { class: "node input block", "data-layer": 0 }, gNodes);
      el("rect", { x: x - s / 2, y: y0, width: s, height: colH, rx: 4 }, g);
      const t = el("text", { x: x, y: y0 + colH / 2, class: "block-label",
        transform: `rotate(-90 ${x} ${y0 + colH / 2})` }, g);
      t.textContent = tr("net.inputs", { n: sizes[0] });
      col.push({ x, y: y0 + colH / 2, block: true, h: colH });
    } else {
      for (let k = 0; k < n; k++) {
        const y = y0 + (k + 0.5) * pitch;
        const kind = l === 0 ? "input" : l === L - 1 ? "output" : "hidden";
        const g = el("g", { class: `node ${kind}`, "data-layer": l, "data-index": k }, gNodes);
        const rect = el("rect", { x: x - s / 2, y: y - s / 2, width: s, height: s, rx: 3 }, g);
        let image = null;
        if (kind === "hidden" && o.showImages) {
          image = el("image", { x: x - s / 2 + 1, y: y - s / 2 + 1, width: s - 2, height: s - 2,
            preserveAspectRatio: "none" }, g);
        }
        const labels = l === 0 ? o.inputLabels : l === L - 1 ? o.outputLabels : null;
        if (labels?.[k] !== undefined) {
          const side = l === 0 ? -1 : 1;
          const t = el("text", { x: x + side * (s / 2 + 4), y: y + 4,
            "text-anchor": side < 0 ? "end" : "start", class: "node-label" }, g);
          t.textContent = labels[k];
        }
        if (kind === "hidden" && o.onNeuronHover) {
          g.addEventListener("mouseenter", () => o.onNeuronHover(l, k));
          g.addEventListener("mouseleave", () => o.onNeuronHover(null, null));
        }
        col.push({ x, y, rect, image, g });
      }
      if (sizes[l] > n) {
        const t = el("text", { x, y: y0 + colH + 13, class: "more-label", "text-anchor": "middle" }, gNodes);
        t.textContent = tr("net.more", { n: sizes[l] - n });
      }
    }
    nodes.push(col);
  }

  // Edges: one path per shown pair; from an input block, one path per target neuron.
  const edges = []; // edges[l] = [{i, j, path, v}]
  const byPath = new WeakMap();
  let edgeLabel = "weight";
  // Tooltips are written on hover only: cheap per frame.
  gEdges.addEventListener("mouseover", (ev) => {
    const e = byPath.get(ev.target);
    if (!e) return;
    const t = e.path.querySelector("title") ?? el("title", {}, e.path);
    t.textContent = e.v === null ? "" : `${edgeLabel} ${e.i + 1}→${e.j + 1}: ${e.v.toPrecision(3)}`;
  });
  for (let l = 0; l < L - 1; l++) {
    const list = [];
    for (let i = 0; i < nodes[l].length; i++) {
      for (let j = 0; j < nodes[l + 1].length; j++) {
        const a = nodes[l][i], b = nodes[l + 1][j];
        const x1 = a.x + s / 2, x2 = b.x - s / 2, mx = (x1 + x2) / 2;
        const path = el("path", { d: `M${x1},${a.y} C${mx},${a.y} ${mx},${b.y} ${x2},${b.y}`,
          class: "edge", "stroke-width": 1 }, gEdges);
        const e = { i: a.block ? -1 : i, j, path, v: null };
        byPath.set(path, e);
        list.push(e);
      }
    }
    edges.push(list);
  }

  // Output maps on one canvas laid over the svg: a frame's 64 maps cost ~1 ms to paint, where
  // 64 PNG data URLs in <image> elements cost tens of ms to encode and decode.
  let mapCanvas = null;
  let paintedMaps = null;
  if (o.mapsCanvas) {
    mapCanvas = svg.parentElement.querySelector("canvas.network-maps") ?? document.createElement("canvas");
    mapCanvas.className = "network-maps";
    const dpr = window.devicePixelRatio || 1;
    const parent = svg.parentElement, at = parent.getBoundingClientRect(); // position: relative
    Object.assign(mapCanvas.style, { position: "absolute", pointerEvents: "none",
      left: `${box.left - at.left - parent.clientLeft}px`, top: `${box.top - at.top - parent.clientTop}px`,
      width: `${box.width}px`, height: `${box.height}px` });
    mapCanvas.width = Math.round(box.width * dpr);
    mapCanvas.height = Math.round(box.height * dpr);
    mapCanvas.getContext("2d").clearRect(0, 0, mapCanvas.width, mapCanvas.height);
    svg.after(mapCanvas);
  }

  return {
    svg, sizes, nodes, edges, columnX, nodeSize: s,
    /** maps: per column a list of grids (neuron outputs, coloured around 0) or null. */
    paintMaps(maps) {
      if (!mapCanvas || maps === paintedMaps) return; // unchanged since the last paint
      paintedMaps = maps;
      const ctx = mapCanvas.getContext("2d");
      ctx.clearRect(0, 0, mapCanvas.width, mapCanvas.height);
      const shown = [];
      for (let l = 0; l < nodes.length; l++) {
        nodes[l].forEach((nd, k) => { if (nd.image && maps?.[l]?.[k]) shown.push([nd, maps[l][k]]); });
      }
      if (!shown.length) return;
      const atlas = paintAtlas(shown.map(([, g]) => g));
      const scale = mapCanvas.width / W; // viewBox units -> canvas pixels
      ctx.imageSmoothingEnabled = true;
      shown.forEach(([nd], m) => {
        ctx.drawImage(atlas.canvas, m * atlas.side, 0, atlas.side, atlas.side,
          (nd.x - s / 2 + 1) * scale, (nd.y - s / 2 + 1) * scale, (s - 2) * scale, (s - 2) * scale);
      });
    },
    /** weights: per layer a fan_in x fan_out array or null; images: per column [url|null]. */
    update({ weights = [], images = [], label = "weight", outputImage = null } = {}) {
      let scale = 0;
      for (const Wl of weights) {
        if (!Wl) continue;
        for (const row of Wl) for (const v of row) scale = Math.max(scale, Math.abs(v));
      }
      scale = scale || 1;
      for (let l = 0; l < edges.length; l++) {
        const Wl = weights[l];
        for (const e of edges[l]) {
          let v = null;
          if (Wl && e.i >= 0) v = Wl[e.i]?.[e.j];
          e.v = Number.isFinite(v) ? v : null;
          let look; // [stroke, width, opacity]: written only when it changes (DOM writes cost)
          if (e.v === null) look = ["#c8c8c8", e.i < 0 ? "1.5" : "0.6", "0.6"];
          else {
            const t = Math.min(1, Math.abs(v) / scale);
            look = [v >= 0 ? POS : NEG, (0.4 + 6 * t).toFixed(1), (0.35 + 0.65 * t).toFixed(2)];
          }
          const was = e.look ?? [];
          if (look[0] !== was[0]) e.path.setAttribute("stroke", look[0]);
          if (look[1] !== was[1]) e.path.setAttribute("stroke-width", look[1]);
          if (look[2] !== was[2]) e.path.setAttribute("stroke-opacity", look[2]);
          e.look = look;
        }
      }
      edgeLabel = label;
      for (let l = 0; l < nodes.length; l++) {
        const urls = images[l];
        if (!urls) continue;
        nodes[l].forEach((nd, k) => {
          if (nd.image && urls[k]) nd.image.setAttribute("href", urls[k]);
        });
      }
      const out = nodes[L - 1];
      if (outputImage && out.length === 1 && !out[0].image) {
        out[0].image = el("image", { x: out[0].x - s / 2 + 1, y: out[0].y - s / 2 + 1,
          width: s - 2, height: s - 2, preserveAspectRatio: "none" }, out[0].g);
      }
      if (outputImage && out[0]?.image) out[0].image.setAttribute("href", outputImage);
    },
    /** Emphasise one column (or none): the stepper's "now at layer l". */
    highlight(l) {
      for (const g of svg.querySelectorAll(".node")) {
        g.classList.toggle("dim", l !== null && l !== undefined && +g.dataset.layer !== l);
      }
    },
  };
}

const atlasCanvas = document.createElement("canvas");

/**
 * Paint grids (all S x S) side by side into one canvas, each coloured diverging around 0
 * with row 0 at the bottom: one putImageData for a whole frame's maps. Returns {canvas, side}.
 */
function paintAtlas(grids) {
  const side = grids[0].shape[0];
  const w = side * grids.length;
  if (atlasCanvas.width !== w || atlasCanvas.height !== side) {
    atlasCanvas.width = w;
    atlasCanvas.height = side;
  }
  const ctx = atlasCanvas.getContext("2d");
  const img = ctx.createImageData(w, side);
  const lut = new Uint8ClampedArray(256 * 3);
  grids.forEach((g, m) => {
    const d = decodeGrid(g);
    const top = Math.max(Math.abs(d.min), Math.abs(d.max)) || 1;
    for (let b = 0; b < 256; b++) lut.set(diverging(value(d, b) / top), 3 * b);
    for (let i = 0; i < side; i++) {
      const row = (side - 1 - i) * w + m * side;
      for (let j = 0; j < side; j++) {
        const b = 3 * d.bytes[i * d.cols + j], o = 4 * (row + j);
        img.data[o] = lut[b]; img.data[o + 1] = lut[b + 1]; img.data[o + 2] = lut[b + 2]; img.data[o + 3] = 255;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
  return { canvas: atlasCanvas, side };
}
