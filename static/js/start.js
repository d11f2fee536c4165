// The page's last module: once the page's modules have registered their handlers, the
// socket that early.js opened is taken over and the messages it got meanwhile are replayed
// (hello, dataset, the first frames), so none misses its `hello`. The step-through and the
// lab (a third of the page's code) load `async` beside the first picture, not before it:
// they catch up with what came before them (state.js catchUp).
import "./main.js";
import "./takehome.js";
import "./classroom.js";
import { connect } from "./socket.js";

connect();
