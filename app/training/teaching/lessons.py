"""Guided experiments: a configuration, a variant to try, the panel to watch.

lessons.json is the one definition: the page reads it (GET /api/lessons) and turns a lesson into
a URL state, and tests/training/test_lessons.py runs the real engine on the same configuration
to check the lesson's claim. The words (title, text, question) are in static/i18n/*.json under
`lesson.<id>.*`.

A lesson's configuration is written against the defaults the page's links use: the
catalogue's defaults, with the preset of the data's kind on top when the data is of another
kind than the default dataset (MNIST brings its image network), as url.js `baseConfig` does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from app.data import DATASETS
from app.training.live.config import PRESETS, TrainingConfig

LESSONS_FILE = Path(__file__).with_name("lessons.json")
WATCHABLE = {
    "boundary",
    "gradnorms",
    "curves",
    "saturation",
    "network",
    "stepper",
    "hunt",
    "landscape",
}


@cache
def lessons() -> list[dict[str, Any]]:
    """Every lesson, in menu order: {id, config, try, watch, stepper?, bughunt?, paused?, predict?}
    (bughunt: the bug the lesson plants, "random" or a name of app/nn/bugs.py; paused: the
    lesson opens paused, so the learner predicts before pressing Play)."""
    data = json.loads(LESSONS_FILE.read_text("utf-8"))
    for lesson in data:
        if lesson["watch"] not in WATCHABLE:
            raise ValueError(f"lesson {lesson['id']}: cannot watch {lesson['watch']!r}")
        lesson_config(lesson)  # validated now: a bad key or value fails on import in tests
        if lesson.get("try"):
            lesson_config(lesson, variant=True)
        for p in lesson.get("predict", []):
            _check_prediction(lesson, p)
    return data


def _check_prediction(lesson: dict[str, Any], p: dict[str, Any]) -> None:
    """A prediction asks before it shows: {id, on: "lesson" | "try", options, answer, steps}.
    The page resets to that configuration, takes the answer, trains `steps` steps (a
    step-through lesson traces its first step instead) and says whether it was right; the
    words are `lesson.<lesson>.predict.<id>.question|why|<option>`, and
    tests/training/teaching/test_predictions.py checks each answer on the real engine."""
    where = f"lesson {lesson['id']} prediction {p.get('id')!r}"
    if set(p) != {"id", "on", "options", "answer", "steps"}:
        raise ValueError(f"{where}: needs exactly id, on, options, answer, steps")
    if p["on"] not in ("lesson", "try") or (p["on"] == "try" and not lesson.get("try")):
        raise ValueError(f"{where}: on must be 'lesson' or (with a try) 'try'")
    if p["answer"] not in p["options"] or len(set(p["options"])) != len(p["options"]):
        raise ValueError(f"{where}: the answer must be one of distinct options")
    if not isinstance(p["steps"], int) or not 0 <= p["steps"] <= 10_000:
        raise ValueError(f"{where}: steps must be between 0 and 10000 (a step message)")


def lesson(lesson_id: str) -> dict[str, Any]:
    return next(x for x in lessons() if x["id"] == lesson_id)


def lesson_config(lesson: dict[str, Any], variant: bool = False) -> TrainingConfig:
    """The full configuration a lesson link opens (with its `try` on top when `variant`)."""
    changes = {**lesson["config"], **((lesson.get("try") or {}) if variant else {})}
    base = TrainingConfig()
    kind = DATASETS[changes.get("dataset", base.dataset)].kind
    preset = PRESETS.get(kind, {}) if kind != DATASETS[base.dataset].kind else {}
    return TrainingConfig(**{**base.model_dump(), **preset, **changes})
