"""The Korean words follow docs/glossary-ko.md: one word per concept, Reset is not
initialisation, no stray English option names."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KO = json.loads((ROOT / "static" / "i18n" / "ko.json").read_text("utf-8"))
VALUES = [v for v in KO.values() if isinstance(v, str)]


def glossary() -> list[tuple[str, list[str], list[str]]]:
    """(concept, words to use, words not to use) from the glossary's table."""
    rows = []
    for line in (ROOT / "docs" / "glossary-ko.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("concept", "---"):
            continue
        split = lambda c: [w.strip() for w in c.split(",") if w.strip()]  # noqa: E731
        rows.append((cells[0], split(cells[2]), split(cells[3])))
    return rows


def test_the_glossary_has_the_core_terms():
    concepts = {c for c, _, _ in glossary()}
    assert {"gradient", "hidden layer", "learning rate", "Reset (start the run again)"} <= concepts
    assert len(concepts) >= 20


def test_every_korean_word_of_the_glossary_is_used():
    plain = lambda w: re.sub(r"\s*\d+$", "", w)  # noqa: E731  ("층 2" is "층 {n}")
    missing = [
        (c, w) for c, use, _ in glossary() for w in use if not any(plain(w) in v for v in VALUES)
    ]
    assert missing == []


def test_no_word_the_glossary_rules_out_appears_in_korean():
    found = []
    for concept, _, avoid in glossary():
        for word in avoid:
            hits = [k for k, v in KO.items() if isinstance(v, str) and word in v]
            if hits:
                found.append((concept, word, hits[:3]))
    assert found == []


def test_reset_is_not_initialisation():
    assert "초기화" not in KO["top.reset"] and "초기화" not in KO["top.reset_title"]
    assert "초기화" in KO["field.init.label"]
    # the advice a stuck student reads says Reset with the Reset button's word
    for key in ("status.stalled", "status.diverged", "banner.diverged", "status.dead_layer"):
        assert KO["top.reset"] in KO[key], key


def test_no_raw_option_names_in_korean_sentences():
    raw = re.compile(
        r"\b(leaky_relu|relu|sigmoid|binary_cross_entropy|cross_entropy|mse|"
        r"xavier_\w+|he_\w+|lecun_normal)\b"
    )
    assert [k for k, v in KO.items() if isinstance(v, str) and raw.search(v)] == []
