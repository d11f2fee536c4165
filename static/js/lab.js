// The lab: bug hunt (a panel below the network) and neuron surgery (on the network diagram).
// The parts live in ./lab/; the stylesheet is linked from here, so the template needs only
// this script.
import { initBugHunt } from "./lab/bughunt.js";
import { initSurgery } from "./lab/surgery.js";

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = new URL("../css/lab.css", import.meta.url).href;
document.head.append(css);

initSurgery();
initBugHunt();
