"""The one client-error type every layer raises, and the one explainer of pydantic's errors.

A client mistake is `ClientError(field, message, code, params)`: a stable `code`
("out_of_range"), the `field` it concerns ("learning_rate"), an English `message` that names
the rule, and `params` ({"min": 1e-05, "max": 10, "got": 50}) so a page can phrase the same
error in another language. docs/protocol.md lists the codes and their params.

This module sits below data, nn, training and web: each raises ClientError (or a subclass)
and the web layer encodes them one way, for the socket and the routes alike.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

GOT_CHARS = 40  # how much of a refused value is quoted back

# Every code a client may receive (docs/protocol.md says what each one's params are).
CODES = frozenset(
    {
        "invalid_json",  # params: reason ("syntax", "depth", "digits", "encoding"), position
        "too_large",  # max, got (bytes)
        "unknown_type",  # allowed, got
        "unknown_field",  # allowed, got
        "missing_field",
        "wrong_type",  # expected ("int", "float", "bool", "string", "list", "dict"), got
        "not_finite",  # got ("NaN", "Infinity"), index for a list item
        "out_of_range",  # min, max, got; of="length" when a list's length is out of range
        "invalid_choice",  # allowed, got
        "invalid_value",
        "bad_data",  # an upload: row and column where known
        "bad_run",  # a saved run: field (its path, "optimizer.t"), reason
        "no_session",
        "not_found",
        "no_trace",
        "server_full",
        "no_class",  # got: a join code no class has
        "class_full",  # max (students a class)
        "forbidden",  # a teacher message without its class's key
        "locked",  # fields: the teacher locked these config keys
        "host_not_allowed",  # got
        "origin_not_allowed",  # got
        "internal_error",
    }
)


class ClientError(ValueError):
    """A request was refused; nothing changed. str(err) is the message."""

    def __init__(
        self,
        field: str | None,
        message: str,
        code: str = "invalid_value",
        params: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.params = params or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, field={self.field!r}, {self.message!r})"

    def as_dict(self) -> dict[str, Any]:
        """The wire form: {"code", "field", "message", "params"}."""
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "params": self.params,
        }


def got(value: Any) -> Any:
    """A refused value as it is quoted back: short, JSON-safe, never a whole payload."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return (
            value
            if abs(value) < 10**15
            else f"{'-' if value < 0 else ''}a {len(str(abs(value)))}-digit integer"
        )
    if isinstance(value, float):
        return (
            value
            if math.isfinite(value)
            else repr(value).replace("inf", "Infinity").replace("nan", "NaN")
        )
    if isinstance(value, str):
        return value if len(value) <= GOT_CHARS else value[: GOT_CHARS - 1] + "…"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    return type(value).__name__


def _said(value: Any) -> str:
    """How `got` reads inside an English sentence."""
    short = got(value)
    return repr(short) if isinstance(value, str) else str(short)


# What a strict pydantic type error expects, in JSON's words.
_EXPECTED = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean (true or false)",
    "string": "a string",
    "list": "a list",
    "dict": "an object",
    "literal": "one of the listed values",
}
_JSON_TYPE = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _bounds(model: type[BaseModel] | None, field: str | None, item: bool) -> tuple[Any, Any]:
    """(min, max) declared on a model's field (ge/gt, le/lt), or on its list items when
    `item`; None where open."""
    info = model.model_fields.get(field or "") if model is not None else None
    if info is None:
        return None, None
    metas = _item_metadata(info.annotation) if item else info.metadata
    lo = hi = None
    for meta in metas:
        for attr in ("ge", "gt"):
            lo = getattr(meta, attr, None) if getattr(meta, attr, None) is not None else lo
        for attr in ("le", "lt"):
            hi = getattr(meta, attr, None) if getattr(meta, attr, None) is not None else hi
    return lo, hi


def _item_metadata(annotation: Any) -> list[Any]:
    """Constraints on the items of `list[Annotated[float, Field(...)]] | None`."""
    found: list[Any] = []
    for arg in typing.get_args(annotation):
        for meta in getattr(arg, "__metadata__", ()):
            found.extend(getattr(meta, "metadata", [meta]))
        found.extend(_item_metadata(arg))
    return found


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _allowed_literals(model: type[BaseModel] | None, field: str | None) -> list[Any]:
    info = model.model_fields.get(field or "") if model is not None else None
    args = typing.get_args(info.annotation) if info else ()
    if any(typing.get_origin(a) is typing.Literal for a in args):  # Literal[...] | None
        args = [v for a in args for v in typing.get_args(a)]
    return [a for a in args if not isinstance(a, type)]


def explain(
    error: ValidationError | Sequence[Any],
    model: type[BaseModel] | None = None,
    skip: int = 0,
    what: str = "",
) -> ClientError:
    """pydantic's first complaint as one ClientError naming the field and what is allowed.

    error: a ValidationError, or its `errors()` list (FastAPI's request errors); model: the
    model validated (for its declared bounds and fields); skip: leading parts of the error
    location to drop ("body"); what: the thing validated ("config"), for unknown fields.
    """
    errors = error.errors(include_url=False) if isinstance(error, ValidationError) else error
    first = errors[0]
    kind: str = first.get("type", "")
    loc = [p for p in first.get("loc", ())][skip:]
    field = str(loc[0]) if loc else None
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    value = first.get("input")
    ctx = dict(first.get("ctx") or {})
    name = f"{field}[{index}]" if index is not None else field
    params: dict[str, Any] = {"index": index} if index is not None else {}

    if kind == "extra_forbidden":
        allowed = [f for f in (model.model_fields if model else ()) if f != "type"]
        return ClientError(
            field,
            f"unknown {what + ' ' if what else ''}field {field!r}; allowed: {', '.join(allowed)}",
            "unknown_field",
            {"allowed": allowed, "got": got(field)},
        )
    if kind == "missing":
        return ClientError(field, f"{field} is required", "missing_field")
    if kind == "finite_number":
        return ClientError(
            field,
            f"{name} must be a finite number; got {_said(value)}",
            "not_finite",
            {**params, "got": got(value)},
        )
    if kind.startswith(("greater_than", "less_than")):
        lo, hi = _bounds(model, field, item=index is not None)
        lo = ctx.get("ge", ctx.get("gt")) if lo is None else lo
        hi = ctx.get("le", ctx.get("lt")) if hi is None else hi
        if lo is not None and hi is not None:
            rule = f"between {_num(lo)} and {_num(hi)}"
        else:
            rule = f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}"
        return ClientError(
            field,
            f"{name} must be {rule}; got {_said(value)}",
            "out_of_range",
            {**params, "min": lo, "max": hi, "got": got(value)},
        )
    if kind in ("too_short", "too_long"):
        lo, hi = ctx.get("min_length", 0), ctx.get("max_length")
        n = ctx.get("actual_length")
        rule = f"{lo} items" if lo == hi else f"between {lo} and {hi} items"
        return ClientError(
            field,
            f"{field} must have {rule}; got {n}",
            "out_of_range",
            {"min": lo, "max": hi, "got": n, "of": "length"},
        )
    if kind == "literal_error":
        allowed = _allowed_literals(model, field) if index is None else []
        text = ", ".join(map(str, allowed)) if allowed else ctx.get("expected", "")
        return ClientError(
            field,
            f"{name} must be one of {text}; got {_said(value)}",
            "invalid_choice",
            {**params, "allowed": allowed, "got": got(value)},
        )
    base = kind.removesuffix("_type").removesuffix("_parsing")
    if base in _EXPECTED and kind != base:
        seen = _JSON_TYPE.get(type(value), type(value).__name__)
        return ClientError(
            field,
            f"{name} must be {_EXPECTED[base]}; got {seen} ({_said(value)})",
            "wrong_type",
            {**params, "expected": base, "got": got(value)},
        )
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind in CODES:
        # A PydanticCustomError raised with our own code: its context is the params.
        return ClientError(
            field, message, kind, {k: got(v) if k == "got" else v for k, v in ctx.items()}
        )
    if field and not message.startswith(field):
        message = f"{name}: {message}"
    return ClientError(field, message, "invalid_value", params)
