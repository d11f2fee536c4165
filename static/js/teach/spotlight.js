// The spotlight: one student's run full-size, read-only. The student page itself draws it
// in a frame, its socket joined to the student's session as a watcher (/ws?watch=<token>).
import { i18n, t } from "../i18n.js";

const $ = (id) => document.getElementById(id);
let opener = null; // the element focused before: focus goes back there

export function openSpotlight(code, token, name) {
  const box = $("spotlight");
  opener = document.activeElement;
  $("spotlight-title").textContent = t("teach.spotlight_title", { name });
  $("spotlight-frame").src = `/?class=${encodeURIComponent(code)}&watch=${encodeURIComponent(token)}#lang=${i18n.lang}`;
  box.hidden = false;
  document.querySelector("main").inert = true; // a modal: the class behind it waits
  $("btn-spotlight-close").focus();
}

export function closeSpotlight() {
  const box = $("spotlight");
  if (box.hidden) return;
  box.hidden = true;
  document.querySelector("main").inert = false;
  $("spotlight-frame").src = "about:blank";
  opener?.focus?.();
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && !$("spotlight").hidden) $("btn-spotlight-close").click();
});
