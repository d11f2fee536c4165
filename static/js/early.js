// The WebSocket, opened as soon as the page's HTML is read. The page carries this module's
// text inline in <head> (an async module: it runs at once, imports nothing), so the server
// builds the session and trains while the page's other modules load (~0.5 s on a slow
// machine); socket.js then takes the socket and replays the messages that came meanwhile,
// and the first trained frame is drawn at once. socket.js imports this file too (another
// instance of it): the socket is handed over in window.__bpEarly, and opened only once.

// The tab's session id, kept for this tab only (sessionStorage): a reconnect after the
// server restarted or its worker died asks for it back and gets its run (hello.resumed).
export const SESSION_KEY = "bp-session";

// Keys of the page, not of the training config (url.js never sends them to the server).
export const PAGE_KEYS = ["lang", "lesson"];

/** Does the page's hash carry training settings (keys besides the page's own)? */
export function linkHasConfig() {
  const keys = [...new URLSearchParams(location.hash.replace(/^#/, "")).keys()];
  return keys.some((k) => !PAGE_KEYS.includes(k));
}

/** The socket's URL for this page: its class, spotlight, session and link, and `plane=page`. */
export function socketUrl() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  // Teacher mode (classroom.js): a class's code routes the socket to the server process of
  // the class; a spotlight's token makes it a read-only view of a student's session. A tab
  // also asks for its own session back (kept in sessionStorage: runs survive restarts).
  const page = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ["class", "watch"]) if (page.get(k)) q.set(k, page.get(k));
  let sid = null;
  try { sid = sessionStorage.getItem(SESSION_KEY); } catch { /* storage off: a new session */ }
  if (sid && !q.has("watch")) q.set("session", sid);
  // A link with settings (#dataset=spiral&...): the new session waits for them and for
  // the page's play (main.js), so the run starts from step 0 of the linked config.
  else if (!q.has("watch") && linkHasConfig()) q.set("start", "paused");
  // The page draws small planes itself (forward.js): even the first frames come without
  // one (main.js asks for them again when it cannot).
  q.set("plane", "page");
  return `${proto}//${location.host}/ws?${q}`;
}

/** The socket opened early with the messages it got so far (once; null if none). */
export function takeEarly() {
  const e = window.__bpEarly ?? null;
  window.__bpEarly = null;
  return e;
}

if (window.__bpEarly === undefined) {
  window.__bpEarly = null;
  try {
    const ws = new WebSocket(socketUrl());
    const e = { ws, queue: [], opened: false }; // queue: the data of messages received
    ws.onopen = () => { e.opened = true; };
    ws.onmessage = (ev) => e.queue.push(ev.data);
    window.__bpEarly = e;
  } catch {
    // socket.js opens one itself
  }
}
