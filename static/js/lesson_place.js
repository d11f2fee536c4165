// Where a lesson's card goes: beside the panel it talks about, never over it, with the panel
// scrolled fully into view below the sticky header (and any banner stuck under it).
//   placeCard(card, panel)   // scrolls the page, then moves the fixed card
// Order of preference: to the right of the panel, to its left, below it, above it; only when
// none has room (a phone) does the card sit at the bottom of the screen, narrowed.
const GAP = 12;

/** The bottom edge of what sticks to the top of the screen: the header, stuck banners. */
export function topInset() {
  let y = 0;
  for (const el of document.querySelectorAll("#topbar, .banner:not([hidden])")) {
    const r = el.getBoundingClientRect();
    if (getComputedStyle(el).position === "sticky" && r.top <= y + 1) y = Math.max(y, r.bottom);
  }
  return y;
}

/** Scroll so `panel` is whole below the header (its top just under it when it is too tall);
 * returns the panel's box as it will be after the scroll. */
function scrollPanel(panel) {
  const top = topInset();
  const r = panel.getBoundingClientRect();
  const room = window.innerHeight - top - 2 * GAP;
  let dy = 0;
  if (r.height > room || r.top < top + GAP) dy = r.top - top - GAP;
  else if (r.bottom > window.innerHeight - GAP) dy = r.bottom - window.innerHeight + GAP;
  const max = document.documentElement.scrollHeight - window.innerHeight;
  const y = Math.max(0, Math.min(max, window.scrollY + dy));
  dy = y - window.scrollY;
  if (dy) window.scrollTo({ top: y, behavior: "instant" });
  return { left: r.left, right: r.right, top: r.top - dy, bottom: r.bottom - dy, width: r.width, height: r.height };
}

function put(card, x, y, w, maxH) {
  Object.assign(card.style, { left: `${Math.round(x)}px`, top: `${Math.round(y)}px`, bottom: "auto",
    width: `${Math.round(w)}px`, maxHeight: `${Math.round(maxH)}px` });
}

/** Scroll `panel` into view and put the fixed `card` beside it. Without a panel (a lesson
 * that watches the step-through) the card goes back to its corner. */
export function placeCard(card, panel) {
  card.style.cssText = "";
  if (!panel) return;
  const r = scrollPanel(panel);
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const top = topInset() + GAP;
  const w = Math.min(card.offsetWidth, vw - 2 * GAP);
  const tall = vh - top - GAP;
  card.style.maxHeight = `${tall}px`;
  const h = Math.min(card.scrollHeight, tall);
  const y = Math.max(top, Math.min(r.top, vh - GAP - h));
  if (vw - r.right - 2 * GAP >= w) return put(card, r.right + GAP, y, w, tall);
  if (r.left - 2 * GAP >= w) return put(card, r.left - GAP - w, y, w, tall);
  const x = Math.max(GAP, Math.min(r.left, vw - GAP - w));
  const below = vh - r.bottom - 2 * GAP;
  if (below >= Math.min(h, 160)) return put(card, x, r.bottom + GAP, w, below);
  const above = r.top - top - GAP;
  if (above >= Math.min(h, 160)) return put(card, x, Math.max(top, r.top - GAP - h), w, above);
  put(card, GAP, vh - GAP - Math.min(h, vh / 3), vw - 2 * GAP, vh / 3); // no room: a strip
}
