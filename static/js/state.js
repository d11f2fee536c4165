// Shared state and a tiny event bus. Every module (and the backprop stepper) plugs in here:
//   import { state, send, on } from "/static/js/state.js";
//   on("frame", (f) => ...); send({type: "trace"});
// Server messages are emitted under their `type`; page events use names with a colon
// ("config:changed", "conn:open", "conn:lost").

const handlers = new Map();

export const state = {
  hello: null,        // the latest `hello` (session id, catalogue, initial config)
  session: null,      // session id from hello
  catalogue: null,    // hello.catalogue
  config: {},         // the page's view of the current config (hello.config + what we sent)
  dataset: null,      // the latest `dataset`
  frame: null,        // the latest `frame` (newest received, maybe not drawn yet)
  heavy: {            // the latest non-null heavy parts, kept across frames that omit them
    boundary: null,
    neurons: null,
    hists: null,      // per layer {weights, activations, gradients}
    mnist: { weights: null, confusion: null, samples: null },
  },
  status: null,       // the latest `status`
  running: false,
  connected: false,
  readOnly: false,    // a teacher's spotlight of this session (classroom.js): nothing is sent
};

let transport = null;

/** Set by socket.js: the function that really sends. */
export function setTransport(fn) {
  transport = fn;
}

/** Send a message to the server; returns false when not connected. */
export function send(msg) {
  if (!transport || state.readOnly) return false;
  return transport(msg);
}

/** Subscribe to a message type (or page event); returns an unsubscribe function. */
export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type).delete(handler);
}

const lastOf = new Map(); // type -> the last payload emitted under it

/** Call handler with the last payload emitted under `type`, if any: a module loaded after
 * the page's first messages and drawing (the step-through and the lab load `async`,
 * beside the first picture) catches up with them. */
export function catchUp(type, handler) {
  if (lastOf.has(type)) handler(lastOf.get(type), type);
}

/** Emit to subscribers of `type` and of "*". Handler errors are logged, never fatal. */
export function emit(type, payload) {
  lastOf.set(type, payload);
  for (const key of [type, "*"]) {
    const set = handlers.get(key);
    if (!set) continue;
    for (const h of [...set]) {
      try {
        h(payload, type);
      } catch (err) {
        console.warn(`handler for ${type} failed`, err);
      }
    }
  }
}

/** Catalogue field description for a config key, or undefined. */
export function field(key) {
  return state.catalogue?.fields?.[key];
}

/** Catalogue entry of a dataset by name. */
export function datasetInfo(name) {
  return state.catalogue?.datasets?.find((d) => d.name === name);
}

/** The catalogue preset a dataset brings (by kind of problem: "2d", "2d_regression", "1d",
 * "image"); for uploaded data, from the loaded dataset's kind and task. */
export function presetKey(name) {
  const info = datasetInfo(name);
  if (info) return info.preset ?? info.kind ?? "2d";
  const d = state.dataset;
  if (!d) return "2d";
  return d.kind === "2d" && d.task === "regression" ? "2d_regression" : d.kind;
}

/** True when the loaded data has real-valued targets. */
export const isRegression = () => state.dataset?.task === "regression";

/** Change config keys locally and tell the server. */
export function configure(partial) {
  if (state.readOnly) return;
  const previous = {};
  for (const k of Object.keys(partial)) previous[k] = state.config[k];
  Object.assign(state.config, partial);
  send({ type: "configure", config: partial });
  emit("config:changed", { partial, previous });
}

// Debug / bench hook: the renderer counts draws here.
window.__bp = window.__bp || { draws: 0, frames: 0 };
window.__bp.state = state;
window.__bp.send = send;
