// Take the run home: the run as a NumPy script (and, as they arrive, saved runs and curves).
import { on, send } from "./state.js";
import { toast } from "./feedback.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

/** Offer `content` as a file download named `filename`. */
export function download(filename, content, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const TYPES = { script: "text/x-python", run: "application/json", history: "text/csv" };

on("export", (msg) => {
  download(msg.filename, msg.content, TYPES[msg.format] ?? "text/plain");
  toast(t("io.saved", { file: msg.filename, step: msg.step }), "info");
});

$("btn-export-script").addEventListener("click", () => send({ type: "export", format: "script" }));
