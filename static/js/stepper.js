// Placeholder: the backprop step-through is built separately (static/js/stepper.js +
// static/css/stepper.css). It plugs into ./state.js (send, on, state) and ./network.js (drawNetwork).
export {};
