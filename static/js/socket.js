// The WebSocket: connect, dispatch JSON messages onto the bus, reconnect with backoff.
import { emit, on, setTransport, state } from "./state.js";

let ws = null;
let attempt = 0;
let timer = null;

// The tab's session id, kept for this tab only (sessionStorage): a reconnect after the
// server restarted or its worker died asks for it back and gets its run (hello.resumed).
const SESSION_KEY = "bp-session";

function url() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  let sid = null;
  try { sid = sessionStorage.getItem(SESSION_KEY); } catch { /* storage off: a new session */ }
  return `${proto}//${location.host}/ws${sid ? `?session=${encodeURIComponent(sid)}` : ""}`;
}

on("hello", (h) => {
  try { if (h.session) sessionStorage.setItem(SESSION_KEY, h.session); } catch { /* ignore */ }
});

export function connect() {
  clearTimeout(timer);
  ws = new WebSocket(url());
  ws.onopen = () => {
    attempt = 0;
    state.connected = true;
    emit("conn:open");
  };
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      console.warn("non-JSON message", ev.data);
      return;
    }
    if (msg && typeof msg.type === "string") emit(msg.type, msg);
  };
  ws.onclose = () => {
    const was = state.connected;
    state.connected = false;
    ws = null;
    const delay = Math.min(10000, 500 * 2 ** attempt);
    attempt += 1;
    emit("conn:lost", { delay, was });
    timer = setTimeout(connect, delay);
  };
  ws.onerror = () => {}; // onclose follows and handles it
}

setTransport((msg) => {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
});
