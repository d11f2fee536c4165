// The teacher page's socket: /ws?teach=1&class=<code> (the code routes it to the worker, or
// replica, where the class lives). Reconnects with backoff; messages go to on(type) handlers.
const handlers = new Map();
let ws = null;
let attempt = 0;
let target = null;

export function on(type, fn) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(fn);
}

function emit(type, msg) {
  for (const fn of handlers.get(type) ?? []) {
    try { fn(msg); } catch (err) { console.warn(`teach: handler for ${type} failed`, err); }
  }
}

/** Connect (or reconnect) for class `code`; "open" is emitted once the socket is up. */
export function connect(code) {
  target = code;
  if (ws) { ws.onclose = null; ws.close(); }
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws?teach=1&class=${encodeURIComponent(code)}`);
  ws.onopen = () => { attempt = 0; emit("conn:open"); };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg && typeof msg.type === "string") emit(msg.type, msg);
  };
  ws.onclose = () => {
    ws = null;
    const delay = Math.min(10000, 500 * 2 ** attempt++);
    emit("conn:lost", { delay });
    setTimeout(() => { if (!ws) connect(target); }, delay);
  };
}

export function send(msg) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
}
