// Dataset thumbnails from catalogue.datasets[].preview ([[x, y, label], ...]).
import { classColor, diverging } from "./grid.js";

export function drawPreview(canvas, info) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = "#f7f7f7";
  ctx.fillRect(0, 0, w, h);
  const pts = info.preview ?? [];
  if (info.kind === "image" || !pts.length) {
    ctx.fillStyle = "#555";
    ctx.font = `bold ${Math.round(h / 3)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(info.kind === "image" ? "0–9" : "CSV", w / 2, h / 2);
    return;
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, nc = 2;
  for (const [x, y, l] of pts) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    if (Number.isInteger(l)) nc = Math.max(nc, l + 1);
  }
  const pad = 5, sx = (w - 2 * pad) / (x1 - x0 || 1), sy = (h - 2 * pad) / (y1 - y0 || 1);
  const r = Math.max(1.6, Math.min(3, 120 / Math.sqrt(pts.length) / 4));
  // regression: l is the target in [-1, 1] (diverging colours); 1-D: the points (x, y) in grey
  const reg = info.task === "regression";
  // One path per colour: a fill per point (12 tiles x 200 points) held the first picture
  // back by ~0.1 s on a slow machine.
  const paths = new Map();
  for (const [x, y, l] of pts) {
    const t = Math.sign(l) * (0.35 + 0.65 * Math.abs(l)); // keep small values visible
    const color = info.kind === "1d" ? "#555" : reg ? (l ? `rgb(${diverging(t).map(Math.round)})` : "#ccc") : classColor(l, nc);
    let path = paths.get(color);
    if (!path) paths.set(color, (path = new Path2D()));
    const px = pad + (x - x0) * sx, py = h - pad - (y - y0) * sy;
    path.moveTo(px + r, py);
    path.arc(px, py, r, 0, 2 * Math.PI);
  }
  for (const [color, path] of paths) {
    ctx.fillStyle = color;
    ctx.fill(path);
  }
}

const idle = window.requestIdleCallback ?? ((fn) => setTimeout(fn, 200));

/** drawPreview when the page is idle: after the first picture, which need not wait for it. */
export function drawPreviewLater(canvas, info) {
  idle(() => drawPreview(canvas, info), { timeout: 1500 });
}
