"""Client -> server messages. Each is a pydantic model; unknown fields are errors.

Strict: numbers must be JSON numbers and finite, booleans booleans, nothing is coerced from a
string. `parse` turns one WebSocket frame into a message or a ClientError, whatever it holds.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.errors import ClientError, explain, got
from app.training.live.config import MAX_LAYERS, MAX_NEURONS
from app.training.live.surgery import WEIGHT_MAX
from app.training.teaching.landscape import RESOLUTION_RANGE, SPAN_RANGE
from app.web.class_messages import CLASS_MODELS

MAX_DEPTH = 32  # lists and objects nest at most this deep (a message needs 3)
COORD = 1e6  # probed and edited points lie within ±COORD (the data are standardized)


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Configure(_Msg):
    type: Literal["configure"]
    config: dict[str, Any]


class Play(_Msg):
    type: Literal["play"]


class Pause(_Msg):
    type: Literal["pause"]


class Step(_Msg):
    type: Literal["step"]
    n: int = Field(1, ge=1, le=10_000)


class Reset(_Msg):
    type: Literal["reset"]


class Trace(_Msg):
    type: Literal["trace"]
    example: int | None = Field(None, ge=0)
    split: Literal["train", "test"] = "train"


class GradCheck(_Msg):
    type: Literal["gradcheck"]
    param: str = Field(max_length=16)  # W1, b2, norm1.gamma, norm1.beta
    index: list[int] = Field(min_length=1, max_length=2)


class BugHunt(_Msg):
    """Plant a backprop bug ("random" or a name) in the session's network; null ends it."""

    type: Literal["bughunt"]
    bug: str | None = Field(max_length=32)


class Guess(_Msg):
    type: Literal["guess"]
    bug: str = Field(max_length=32)


class Edit(_Msg):
    """Set one weight or bias: params[param][index] = value."""

    type: Literal["edit"]
    param: str = Field(max_length=8)
    index: list[int] = Field(min_length=1, max_length=2)
    value: float = Field(ge=-WEIGHT_MAX, le=WEIGHT_MAX)


class Freeze(_Msg):
    """Stop (on) or restart (off) the learning of unit `unit` (0-based) of layer `layer`."""

    type: Literal["freeze"]
    layer: int = Field(ge=1, le=MAX_LAYERS + 1)
    unit: int = Field(ge=0, lt=MAX_NEURONS)
    on: bool = True


class Kill(_Msg):
    """Force the output of unit `unit` of hidden layer `layer` to 0 (on), or revive it."""

    type: Literal["kill"]
    layer: int = Field(ge=1, le=MAX_LAYERS)
    unit: int = Field(ge=0, lt=MAX_NEURONS)
    on: bool = True


class Predict(_Msg):
    type: Literal["predict"]
    point: list[Annotated[float, Field(ge=-COORD, le=COORD)]] | None = Field(
        None, min_length=2, max_length=2
    )
    image: list[Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        None, min_length=784, max_length=784
    )


class AddPoint(_Msg):
    type: Literal["add_point"]
    x: float = Field(ge=-COORD, le=COORD)
    y: float = Field(ge=-COORD, le=COORD)
    label: int = Field(ge=0, le=19)


class RemovePoint(_Msg):
    type: Literal["remove_point"]
    x: float = Field(ge=-COORD, le=COORD)
    y: float = Field(ge=-COORD, le=COORD)


class Ping(_Msg):
    """Answered at once with a `pong` carrying the same id: a round trip, for clients and
    benchmarks, that never waits for training."""

    type: Literal["ping"]
    id: int = Field(0, ge=0, le=2**53)


class Export(_Msg):
    """Take the run home: a NumPy-only Python file, a saved run (JSON) or the curves (CSV)."""

    type: Literal["export"]
    format: Literal["script", "run", "history"]


class Load(_Msg):
    """Open a saved run (as `export` format "run" gave it)."""

    type: Literal["load"]
    run: dict[str, Any]


class Pin(_Msg):
    type: Literal["pin"]


class Unpin(_Msg):
    type: Literal["unpin"]
    index: int = Field(ge=0, le=3)


class View(_Msg):
    """How the page draws the session; frames then carry only what it shows. Every field is
    optional: one left out stays as it was."""

    type: Literal["view"]
    neuron_px: int | None = Field(None, ge=4, le=64)  # neuron maps are sent at this size
    plane: Literal["server", "page"] | None = None  # "page": it draws small planes itself
    grads: bool | None = None  # the diagram shows dW (else frames leave dW, db out)
    hists: bool | None = None  # the histograms are on screen (else frames leave them out)


class Hidden(_Msg):
    """Watch hidden layer `layer` (1-based) in the hidden-space view; null stops it."""

    type: Literal["hidden"]
    layer: int | None = Field(None, ge=1, le=MAX_LAYERS)


class Landscape(_Msg):
    """The training loss over a plane through the weights now (two filter-normalised random
    directions), with the run's path projected on it: R x R points within ±span."""

    type: Literal["landscape"]
    resolution: int = Field(21, ge=RESOLUTION_RANGE[0], le=RESOLUTION_RANGE[1])
    span: float = Field(1.0, ge=SPAN_RANGE[0], le=SPAN_RANGE[1])


ClientMessage = Annotated[
    Configure
    | Play
    | Pause
    | Step
    | Reset
    | Trace
    | GradCheck
    | BugHunt
    | Guess
    | Edit
    | Freeze
    | Kill
    | Predict
    | AddPoint
    | RemovePoint
    | Export
    | Ping
    | Load
    | Pin
    | Unpin
    | View
    | Hidden
    | Landscape,
    Field(discriminator="type"),
]
MODELS: dict[str, type[_Msg]] = {
    "configure": Configure,
    "play": Play,
    "pause": Pause,
    "step": Step,
    "reset": Reset,
    "trace": Trace,
    "gradcheck": GradCheck,
    "bughunt": BugHunt,
    "guess": Guess,
    "edit": Edit,
    "freeze": Freeze,
    "kill": Kill,
    "predict": Predict,
    "add_point": AddPoint,
    "remove_point": RemovePoint,
    "export": Export,
    "ping": Ping,
    "load": Load,
    "pin": Pin,
    "unpin": Unpin,
    "view": View,
    "hidden": Hidden,
    "landscape": Landscape,
    **CLASS_MODELS,  # teacher mode: app/web/class_messages.py
}
MESSAGE_TYPES = tuple(MODELS)
client_message = TypeAdapter(ClientMessage)


def parse(frame: str | bytes, limit: int) -> ClientMessage:
    """One WebSocket frame (text, or UTF-8 bytes) -> a validated message.

    Raises ClientError for anything else: too many bytes, bad encoding, bad JSON (syntax,
    nesting too deep, an integer with too many digits), or a message pydantic refuses.
    """
    size = len(frame) if isinstance(frame, bytes) else len(frame.encode("utf-8", "replace"))
    if size > limit:
        raise ClientError(
            None,
            f"message must be at most {limit:,} bytes; got {size:,}",
            "too_large",
            {"max": limit, "got": size},
        )
    raw = load_json(frame)
    if not isinstance(raw, dict):
        raise ClientError(
            "type",
            "a message must be a JSON object with a 'type'",
            "invalid_value",
            {"expected": "dict", "got": got(raw)},
        )
    kind = raw.get("type")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise ClientError(
            "type",
            f"unknown message type {got(kind)!r}; allowed: {', '.join(MESSAGE_TYPES)}",
            "unknown_type",
            {"allowed": list(MESSAGE_TYPES), "got": got(kind)},
        )
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise explain(e, model, what=f"{kind} message") from None
    except RecursionError:
        raise _bad_json("message", None, "depth", "nested too deeply") from None


def load_json(data: str | bytes, field: str | None = None) -> Any:
    """JSON text (or UTF-8 bytes) -> a value, or ClientError("invalid_json") with its
    reason: bad encoding, bad syntax, nesting too deep, an integer of too many digits."""
    what = "file" if field == "file" else "message"
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            detail = f"not UTF-8 text (byte {e.start})"
            raise _bad_json(what, field, "encoding", detail, e.start) from None
    try:
        value = json.loads(data)
    except json.JSONDecodeError as e:
        raise _bad_json(what, field, "syntax", f"{e.msg} at position {e.pos}", e.pos) from None
    except RecursionError:
        raise _bad_json(what, field, "depth", "nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise _bad_json(what, field, "digits", str(e).split(";")[0]) from None
    if _depth(value) > MAX_DEPTH:  # the same answer whatever Python's recursion limit
        raise _bad_json(what, field, "depth", f"nested more than {MAX_DEPTH} levels deep")
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d + 1)
            if deepest > MAX_DEPTH:
                break
            todo.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _bad_json(
    what: str, field: str | None, reason: str, detail: str, position: int | None = None
) -> ClientError:
    params: dict[str, Any] = {"reason": reason}
    if position is not None:
        params["position"] = position
    return ClientError(field, f"{what} cannot be read as JSON: {detail}", "invalid_json", params)
