"""Client mistakes as one sentence each: which field, what is allowed, what was sent."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.training.config import ConfigError
from app.web.messages import MESSAGE_TYPES, MODELS


def describe(error: ValidationError, raw: Any) -> ConfigError:
    """The first problem pydantic found in a client message, said plainly."""
    if not isinstance(raw, dict):
        return ConfigError("type", "a message must be a JSON object with a 'type'", "invalid_value")
    first = error.errors()[0]
    kind = first.get("type", "")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return ConfigError(
            "type",
            f"unknown message type {raw.get('type')!r}; allowed: {', '.join(MESSAGE_TYPES)}",
            "unknown_type",
        )
    loc = [str(p) for p in first.get("loc", ())][1:]  # drop the message-type tag
    field = loc[0] if loc else None
    value = first.get("input")
    ctx = first.get("ctx", {})
    if kind == "extra_forbidden":
        return ConfigError(
            field, f"unknown field {field!r} in a {raw.get('type')} message", "unknown_field"
        )
    if kind.startswith(("greater", "less")):
        lo = _bound(raw.get("type"), field, "ge")
        hi = _bound(raw.get("type"), field, "le")
        rng = (
            f"between {lo} and {hi}"
            if lo is not None and hi is not None
            else first.get("msg", "").lower().removeprefix("input should be ")
        )
        return ConfigError(field, f"{field} must be {rng}; got {value}", "out_of_range")
    if kind in ("too_short", "too_long"):
        return ConfigError(
            field,
            f"{field} must have between {ctx.get('min_length', 0)} "
            f"and {ctx.get('max_length', '…')} items",
            "out_of_range",
        )
    msg = first.get("msg", "invalid value")
    return ConfigError(field, f"{field}: {msg}" if field else msg, "invalid_value")


def _bound(msg_type: str | None, field: str | None, which: str) -> Any:
    model = MODELS.get(msg_type or "")
    info = model.model_fields.get(field or "") if model else None
    for meta in info.metadata if info else ():
        if hasattr(meta, which):
            return getattr(meta, which)
    return None
