"""The page's words: one JSON file per language under static/i18n, the same keys in each.

A key missing in either language, a `{placeholder}` one language forgets, a key the page's
code asks for that no file has, or a catalogue field, option or dataset without words fails.
"""

from __future__ import annotations

import json
import re

import pytest

from app.training.live.config import catalogue
from app.web.paths import STATIC_DIR, TEMPLATES_DIR

LANGS = ("en", "ko")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def load(lang: str) -> dict[str, str]:
    return json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))


def placeholders(s: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", s))


def used_keys() -> set[str]:
    """Every literal key the page's JS and template ask for: t("k"), tr("k"), data-i18n*="k"."""
    pattern = re.compile(
        r"""\b(?:t|tr)\(\s*["`]([a-z0-9_]+\.[a-zA-Z0-9_.]+)["`]"""
        r"""|data-i18n(?:-[a-z-]+)?="([^"]+)\""""
    )
    keys = set()
    files = [*STATIC_DIR.glob("js/**/*.js"), *TEMPLATES_DIR.glob("*.html")]
    for path in files:
        for a, b in pattern.findall(path.read_text("utf-8")):
            keys.add(a or b)
    return keys


def test_every_language_has_exactly_the_same_keys():
    en, ko = load("en"), load("ko")
    assert sorted(set(en) - set(ko)) == [], "keys missing in ko.json"
    assert sorted(set(ko) - set(en)) == [], "keys missing in en.json"


@pytest.mark.parametrize("lang", LANGS)
def test_no_string_is_empty(lang):
    assert [k for k, v in load(lang).items() if not v.strip()] == []


def test_placeholders_agree_between_languages():
    en, ko = load("en"), load("ko")
    wrong = {k: (en[k], ko[k]) for k in en if placeholders(en[k]) != placeholders(ko.get(k, ""))}
    assert wrong == {}


def test_every_key_the_page_asks_for_exists():
    en = load("en")
    used = used_keys()
    assert len(used) > 100  # the scan finds the page's words at all
    assert sorted(used - set(en)) == []


def test_every_catalogue_field_option_and_dataset_has_words():
    en, ko = load("en"), load("ko")
    cat = catalogue()
    want = set()
    for key, field in cat["fields"].items():
        want |= {f"field.{key}.label", f"field.{key}.help"}
        if field.get("kind") == "choice" and key != "dataset":
            want |= {f"option.{o}" for o in field["options"]}
    for ds in cat["datasets"]:
        want |= {f"dataset.{ds['name']}.label", f"dataset.{ds['name']}.description"}
    for lang, words in (("en", en), ("ko", ko)):
        assert sorted(want - set(words)) == [], f"{lang}.json lacks catalogue words"


def test_korean_is_korean():
    """Every Korean string that has a word in it has Hangul, unless it is a symbol or a
    name that stays (β₁, L2, XOR, ReLU, Adam, float32 …): then it equals the English."""
    en, ko = load("en"), load("ko")
    untranslated = [
        k
        for k, v in ko.items()
        if re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", v))
        and not HANGUL.search(v)
        and v != en[k]
    ]
    assert untranslated == []
    math = re.compile(r"\b(sign|sin|cos|tanh|exp|log|max|softmax|sigmoid)\(")
    same = [
        k for k, v in ko.items() if v == en[k] and re.search(r"\b[a-z]{4,}\b", math.sub("(", v))
    ]
    assert same == [], "English words left in ko.json"


def test_every_error_and_status_code_has_words():
    """The page phrases server errors and status notes from `code` + `params`."""
    from app.errors import CODES
    from app.training.teaching import stuck

    want = {f"error.{c}" for c in CODES} | {"status.diverged", "status.paused_for_trace"}
    want |= {f"status.{c}" for c in stuck.CODES}
    for lang in LANGS:
        assert sorted(want - set(load(lang))) == [], lang
