// Number formatting and small HTML helpers for the backprop step-through.
import { t as tr } from "../i18n.js";

/** 4 significant digits, a true minus sign; tiny/huge numbers as a·10ⁿ. Plain text. */
export function sig(x, digits = 4) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  let s;
  if (a < 1e-4 || a >= 1e5) {
    const [m, e] = x.toExponential(digits - 1).split("e");
    s = `${m}×10${sup(String(+e))}`;
  } else {
    s = x.toPrecision(digits);
    if (s.includes("e")) s = String(+s);
  }
  return s.replace("-", "−");
}

const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
function sup(s) {
  return [...s].map((c) => SUP[c] ?? c).join("");
}

/** Very short form for inside a neuron box: 2 significant digits, small numbers as 9.5e−4. */
export function short(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 0.01 || a >= 1000) {
    const [m, e] = x.toExponential(1).split("e");
    return `${m}e${e}`.replace(/-/g, "−").replace("e+", "e");
  }
  return x.toPrecision(2).replace("-", "−");
}

export function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** A coloured monospace number. opts: paren (wrap negatives in parentheses), q (data-quantity). */
export function num(x, opts = {}) {
  const cls = x > 0 ? "pos" : x < 0 ? "neg" : "zero";
  const t = sig(x);
  const body = opts.paren && x < 0 ? `(${t})` : t;
  const q = opts.q ? ` data-quantity="${esc(opts.q)}" data-value="${x}"` : "";
  return `<span class="num ${cls}${opts.q ? " result" : ""}"${q}>${body}</span>`;
}

/** Variable with subscript and optional superscript (layer): v(“z”, “2”, “(1)”). */
export function v(name, sub = "", supr = "") {
  return `<var>${name}</var>${supr ? `<sup>${supr}</sup>` : ""}${sub !== "" ? `<sub>${sub}</sub>` : ""}`;
}

/**
 * Join terms with " + ", listing at most `max`: the first max-1, "…", and the last,
 * with a note of how many there are.
 */
export function terms(list, max = 6) {
  if (list.length <= max) return list.join(" + ");
  return `${list.slice(0, max - 2).join(" + ")} + <span class="more">… ${tr("eq.more_terms", { n: list.length - max + 1 })} …</span> + ${list[list.length - 1]}`;
}

export const sum = (arr) => arr.reduce((s, x) => s + x, 0);

/** Column j of a 2-D array. */
export const col = (M, j) => M.map((row) => row[j]);
