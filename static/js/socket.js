// The WebSocket: connect, dispatch JSON messages onto the bus, reconnect with backoff.
import { emit, on, setTransport, state } from "./state.js";
import { SESSION_KEY, socketUrl, takeEarly } from "./early.js";

let ws = null;
let attempt = 0;
let timer = null;

export { PAGE_KEYS, linkHasConfig } from "./early.js";

function url() {
  const u = socketUrl();
  state.heldForLink = new URL(u).searchParams.get("start") === "paused";
  return u;
}

/** Open the socket again now (say, routed by a class code just typed): a new session. */
export function reconnect() {
  attempt = 0;
  if (ws) ws.close();
  else connect();
}

on("hello", (h) => {
  try { if (h.session) sessionStorage.setItem(SESSION_KEY, h.session); } catch { /* ignore */ }
});

/** Open the socket, or take the one early.js opened and replay what it has received. */
export function connect() {
  if (ws && ws.readyState <= WebSocket.OPEN) return; // one socket at a time
  clearTimeout(timer);
  performance.mark("bp:connect"); // the page's modules are in (bench/page.py reads it)
  const early = takeEarly();
  if (early && early.ws.readyState === WebSocket.CLOSED && !early.queue.length) {
    // refused before it said anything: open another, as after any close
  } else if (early) {
    ws = early.ws;
    state.heldForLink = new URL(ws.url).searchParams.get("start") === "paused";
    listen(ws);
    if (early.opened) opened();
    for (const data of early.queue) received({ data });
    if (ws.readyState === WebSocket.CLOSED) closed();
    return;
  }
  ws = new WebSocket(url());
  listen(ws);
}

function listen(socket) {
  socket.onopen = opened;
  socket.onmessage = received;
  socket.onclose = closed;
  socket.onerror = () => {}; // onclose follows and handles it
}

function opened() {
  attempt = 0;
  state.connected = true;
  emit("conn:open");
}

function received(ev) {
  let msg;
  try {
    msg = JSON.parse(ev.data);
  } catch {
    console.warn("non-JSON message", ev.data);
    return;
  }
  if (msg && typeof msg.type === "string") emit(msg.type, msg);
}

function closed() {
  const was = state.connected;
  state.connected = false;
  ws = null;
  const delay = Math.min(10000, 500 * 2 ** attempt);
  attempt += 1;
  emit("conn:lost", { delay, was });
  timer = setTimeout(connect, delay);
}

setTransport((msg) => {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
});
