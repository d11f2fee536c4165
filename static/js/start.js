// The page's last module: once every module of the page has registered its handlers, the
// socket that early.js opened is taken over and the messages it got meanwhile are replayed
// (hello, dataset, the first frames), so none misses its `hello` or the first drawing.
import "./main.js";
import "./takehome.js";
import "./classroom.js";
import "./stepper.js";
import "./lab.js";
import { connect } from "./socket.js";

connect();
