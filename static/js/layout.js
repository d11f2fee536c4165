// Where the header's settings and tools live. On a wide screen they sit in the sticky header,
// one row high. Narrower than WIDE px (tablets, phones) they move to #toolbar, just under the
// header, which scrolls away: the sticky header keeps only the brand, play/step and the
// counters, so it stays under 15 % of the screen. The elements move whole (ids, listeners).
const WIDE = 1180;
const query = window.matchMedia(`(min-width: ${WIDE}px)`);

function place() {
  const header = document.getElementById("topbar");
  const bar = document.getElementById("toolbar");
  const parts = [document.getElementById("top-controls"), header.querySelector(".top-tools")];
  if (query.matches) header.append(...parts);
  else bar.append(...parts);
  bar.hidden = query.matches;
  document.body.classList.toggle("narrow", !query.matches);
}

place();
query.addEventListener("change", place);

// The header's height, for what sticks under it (banners) and for lessons' scrolling.
const header = document.getElementById("topbar");
new ResizeObserver(() => {
  document.documentElement.style.setProperty("--header-h", `${header.offsetHeight}px`);
}).observe(header);
