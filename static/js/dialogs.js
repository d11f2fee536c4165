// Keyboard care for whatever opens over the page (the step-through, the lessons menu):
// on open, focus moves inside; Tab and Shift+Tab cycle within it; Esc closes it; on close,
// focus goes back to what had it before (the button that opened it).
//   const release = holdFocus(panel, { onEscape: close });   ...   release();

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

/** Focusable elements inside `box` that a person can see, in document order. */
export function focusables(box) {
  return [...box.querySelectorAll(FOCUSABLE)].filter(
    (el) => !el.disabled && !el.closest("[hidden]") && el.getClientRects().length > 0,
  );
}

/** Keep keyboard focus in `box` until the returned release() is called. `first` is the
 * element focused on open (default: the first focusable). With `trap: false` (a menu), Tab
 * may leave, which closes it through onEscape. Returns release(restore = true). */
export function holdFocus(box, { onEscape = null, first = null, trap = true } = {}) {
  const before = document.activeElement;
  const onKey = (e) => {
    if (e.key === "Escape" && onEscape) {
      e.preventDefault();
      e.stopPropagation();
      onEscape();
      return;
    }
    if (e.key !== "Tab") return;
    const els = focusables(box);
    if (!els.length) return;
    const i = els.indexOf(document.activeElement);
    const out = i === -1 || (e.shiftKey ? i === 0 : i === els.length - 1);
    if (!out) return;
    if (!trap) { if (onEscape && i !== -1) onEscape(false); return; }
    e.preventDefault();
    els[e.shiftKey ? els.length - 1 : 0].focus();
  };
  document.addEventListener("keydown", onKey, true);
  (first ?? focusables(box)[0] ?? box).focus({ preventScroll: true });
  return (restore = true) => {
    document.removeEventListener("keydown", onKey, true);
    if (restore && before?.isConnected && typeof before.focus === "function") before.focus({ preventScroll: true });
  };
}
