// The WebSocket: connect, dispatch JSON messages onto the bus, reconnect with backoff.
import { emit, setTransport, state } from "./state.js";

let ws = null;
let attempt = 0;
let timer = null;

function url() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/ws`;
}

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
