// Every visible string lives in static/i18n/<lang>.json: one flat file per language, the same
// keys in each (tests/web/test_i18n.py fails on a key missing in either). In code:
//   import { t } from "./i18n.js";   t("sv.next")   t("net.neurons", { n: 3 })
// `{name}` placeholders are filled from the params; with params.n === 1 a "<key>.one" entry,
// when it exists, is used instead (English plurals; Korean repeats the text).
// In HTML: data-i18n="out.title" (text), data-i18n-html (markup), data-i18n-title,
// data-i18n-aria-label; applyI18n() fills them. translate="no" marks words that stay as they
// are in every language (the brand, language names); the Korean page test skips them.
// The language: `lang=ko|en` in the URL hash, else in its query (?lang=ko), else the browser's
// language, else English.
import { emit } from "./state.js";

export const LANGS = ["en", "ko"];
const dicts = {};

function hashLang() {
  const m = location.hash.match(/(?:^#|&)lang=([a-z]+)/);
  return m && LANGS.includes(m[1]) ? m[1] : null;
}

function queryLang() {
  const l = new URLSearchParams(location.search).get("lang");
  return LANGS.includes(l) ? l : null;
}

function browserLang() {
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

export const i18n = {
  lang: hashLang() ?? queryLang() ?? browserLang(),
  /** True once the language was chosen (in the URL or the switch): links then carry it. */
  explicit: (hashLang() ?? queryLang()) !== null,
};

/** The language file's URL: versioned by the page's import map (immutable, and the one
 * <head> preloads for English), else plain. */
function fileUrl(l) {
  const plain = new URL(`../i18n/${l}.json`, import.meta.url).pathname;
  try { return import.meta.resolve?.(plain) ?? plain; } catch { return plain; }
}

async function load(l) {
  if (!dicts[l]) dicts[l] = await (await fetch(fileUrl(l))).json();
  return dicts[l];
}

await Promise.all([load("en"), load(i18n.lang)]);

/** True when the current language (or English) has `key`. */
export function has(key) {
  return key in dicts[i18n.lang] || key in dicts.en;
}

/** The string for `key` in the current language, `{name}` filled from params. Falls back to
 * English, then to `fallback` (e.g. a server's English message), then to the key itself. */
export function t(key, params = null, fallback = undefined) {
  const d = dicts[i18n.lang];
  let k = key;
  if (params?.n === 1 && (`${key}.one` in d || `${key}.one` in dicts.en)) k = `${key}.one`;
  let s = d[k] ?? dicts.en[k];
  if (s === undefined) {
    if (fallback !== undefined) return fallback;
    console.warn(`i18n: no string for ${key}`);
    return key;
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, p) => (p in params ? String(params[p]) : m));
  return s;
}

/** Fill every data-i18n* element under `root`. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-html]")) el.innerHTML = t(el.dataset.i18nHtml);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  document.documentElement.lang = i18n.lang;
  document.title = t("page.title");
  for (const b of document.querySelectorAll("[data-lang]")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === i18n.lang));
  }
}

/** Switch the language: every module redraws its words on "lang:changed". */
export async function setLang(l) {
  if (!LANGS.includes(l)) return;
  await load(l);
  i18n.lang = l;
  i18n.explicit = true;
  applyI18n();
  emit("lang:changed", l);
}

/** The language switch in the header: one button per language. */
export function initLangSwitch() {
  for (const b of document.querySelectorAll("[data-lang]")) {
    b.addEventListener("click", () => setLang(b.dataset.lang));
  }
  applyI18n();
}
