// Backprop step-through: the entry module the page loads. The parts live in ./stepper/:
// model (stages), formulas (equations with numbers), diagram, extras (loss change, MNIST), panel.
// Its stylesheet is linked from here, so the template needs no change.
import { initStepper } from "./stepper/panel.js";

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = new URL("../css/stepper.css", import.meta.url).href;
document.head.append(css);

initStepper();
