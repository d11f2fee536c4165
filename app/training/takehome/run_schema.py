"""The shape of a saved run, checked before anything in it costs memory or time.

A run file may come from anyone (a file passed around a class), so every field is held to
the limits an upload or a config is held to: counters to integers a browser reads exactly,
arrays to declared shapes and dtypes that are checked before a byte is inflated, data to
the CSV limits (20,000 rows, 1,024 columns, the cells a 5 MB CSV can hold). `check_run`
raises ClientError("bad_run") naming the field by its path ("optimizer.t").
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.data.csv_upload import MAX_BYTES, MAX_FEATURES
from app.data.dataset import MAX_POINTS
from app.errors import ClientError, got
from app.training.live.config import CLASSES_RANGE
from app.training.live.history import MAX_ROWS
from app.training.live.pins import MAX_PINS

MAX_COUNT = 2**53 - 1  # counters stay integers a browser reads exactly
MAX_CELLS = MAX_BYTES // 2  # numbers a 5 MB CSV can hold at most ("0,0,0...")
MAX_ARRAY_BYTES = 64 * 1024 * 1024  # one array, inflated: far above any allowed net's
MAX_DEPTH = 8  # a run file nests 6 levels deep (optimizer.state.W1.m.shape)
MAX_FILE_BYTES = 64 * 1024 * 1024  # a run file read from disk (the CLI, a checkpoint)
MAX_ABS = 1e300  # numbers in a history: finite, with room to square

Name = Annotated[str, Field(max_length=200)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_ABS, le=MAX_ABS)]
Cell = Annotated[int, Field(ge=-MAX_COUNT, le=MAX_COUNT)] | Number | None
Pair = Annotated[list[Number], Field(min_length=2, max_length=2)]  # JSON has no tuples
Hex128 = Annotated[str, Field(pattern=r"^0x[0-9a-f]{1,32}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Packed(_Strict):
    """An array as `encode.packed` writes it; its size is known before it is inflated."""

    dtype: Literal["<f4", "<f8", "<i8", "<i4", "|u1", "|b1"]
    shape: list[Annotated[int, Field(ge=0, le=MAX_POINTS * MAX_FEATURES)]] = Field(max_length=3)
    b64: str

    @property
    def nbytes(self) -> int:
        return int(self.dtype[2:]) * math.prod(self.shape)


class Counters(_Strict):
    step: Count
    examples: Count
    diverged_at: Count | None = None


class Optimizer(_Strict):
    name: Name
    t: Count
    state: dict[
        Annotated[str, Field(max_length=16)], dict[Annotated[str, Field(max_length=16)], Packed]
    ] = Field(max_length=4 * 9)


class RngState(_Strict):
    state: Hex128
    inc: Hex128


class Rng(_Strict):
    bit_generator: Literal["PCG64"]
    state: RngState
    has_uint32: int = Field(ge=0, le=1)
    uinteger: int = Field(ge=0, le=2**32 - 1)


class Batches(_Strict):
    rng: Rng
    order: Packed
    cursor: Count


Columns = dict[Annotated[str, Field(max_length=32)], list[Cell]]


class Pin(_Strict):
    config: dict[str, Any]
    step: Count = 0
    history: Columns


class Data(_Strict):
    """Uploaded or edited data (config.dataset "custom"), field for field as a Dataset."""

    name: Name
    kind: Literal["2d", "1d", "table"]
    n_classes: int = Field(ge=0, le=CLASSES_RANGE[1])
    class_names: list[Name] = Field(max_length=CLASSES_RANGE[1])
    X_train: Packed
    y_train: Packed
    X_test: Packed
    y_test: Packed
    features: list[Name] = Field(max_length=MAX_FEATURES)
    input_names: list[Name] = Field(max_length=MAX_FEATURES)
    raw_train: Packed | None = None
    raw_test: Packed | None = None
    bounds: list[Pair] | None = Field(None, min_length=2, max_length=2)
    image_shape: None = None
    axis_names: list[Name] | None = Field(None, min_length=2, max_length=2)
    mean: Packed | None = None
    std: Packed | None = None
    task: Literal["classification", "regression"] = "classification"
    target_name: Name = "y"


class LayersState(_Strict):
    """Batch norm's running statistics ("norm1.running_mean", ...) and the dropout generator."""

    running_stats: dict[Annotated[str, Field(max_length=24)], Packed] = Field(max_length=2 * 8)
    rng: Rng


UnitPair = Annotated[list[int], Field(min_length=2, max_length=2)]


class Surgery(_Strict):
    """Frozen and killed units as [layer, unit] pairs."""

    frozen: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        [], max_length=2048
    )
    killed: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        [], max_length=2048
    )


class Run(_Strict):
    format: Literal["backprop-playground-run"]
    version: Literal[1]
    app_version: Name = ""
    config: dict[str, Any]
    counters: Counters
    params: dict[Annotated[str, Field(max_length=16)], Packed] = Field(max_length=4 * 9)
    layers: LayersState | None = None  # per-layer settings: batch norm stats, dropout rng
    surgery: Surgery | None = None  # frozen and killed units
    stopping: dict[str, Any] | None = None  # schedules and stopping (checked as it is loaded)
    optimizer: Optimizer
    batches: Batches
    data: Data | None = None
    history: Columns | None = Field(None, max_length=6 + 9)
    pins: list[Pin] | None = Field(None, max_length=MAX_PINS)
    state: Literal["running", "paused"] | None = None  # a checkpoint: was it playing?


def bad_run(field: str | None, message: str, **params: Any) -> ClientError:
    """The one refusal of a run file: code bad_run, the field's path, what is wrong."""
    return ClientError(field, message, "bad_run", {"field": field, **params})


def parse_run(text: str | bytes) -> Any:
    """A run file's text -> its JSON value, or bad_run: not UTF-8, not JSON, nested too
    deeply, an integer of thousands of digits. Never a traceback."""
    try:
        value = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except UnicodeDecodeError as e:
        raise bad_run(None, f"a run file is UTF-8 JSON text (byte {e.start} is not)") from None
    except json.JSONDecodeError as e:
        raise bad_run(None, f"not JSON: {e.msg} at position {e.pos}", reason="syntax") from None
    except RecursionError:
        raise bad_run(None, "not a run file: nested too deeply", reason="depth") from None
    except ValueError as e:  # an integer of more than 4,300 digits
        raise bad_run(None, f"not a run file: {str(e).split(';')[0]}", reason="digits") from None
    todo = [(value, 0)]
    while todo:  # iteratively: the same answer whatever Python's recursion limit
        v, depth = todo.pop()
        if isinstance(v, (list, dict)):
            if depth >= MAX_DEPTH:
                raise bad_run(None, f"not a run file: nested more than {MAX_DEPTH} levels deep")
            todo.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return value


def check_run(raw: Any) -> Run:
    """A parsed run file (JSON value) -> Run; ClientError bad_run naming the first bad
    field. Checks types, bounds and limits only: nothing is inflated here."""
    if not isinstance(raw, dict) or raw.get("format") != "backprop-playground-run":
        raise bad_run(
            "format", 'not a Backprop Playground run (no "format": "backprop-playground-run")'
        )
    if raw.get("version") != 1:
        raise bad_run(
            "version",
            f"run files of version {got(raw.get('version'))!r} are not supported; "
            "this version reads version 1",
        )
    try:
        run = Run.model_validate(raw)
    except ValidationError as e:
        raise _explained(e) from None
    except RecursionError:
        raise bad_run(None, "the run file is nested too deeply") from None
    hist = run.history or {}
    for where, columns in [
        ("history", hist),
        *((f"pins.{i}.history", p.history) for i, p in enumerate(run.pins or [])),
    ]:
        steps = columns.get("step", [])
        if not all(isinstance(v, int) and 0 <= v <= MAX_COUNT for v in steps):
            raise bad_run(f"{where}.step", f"{where}.step must hold whole numbers 0 to 2**53 - 1")
        for name, column in columns.items():
            if len(column) > MAX_ROWS + 1:
                raise bad_run(
                    f"{where}.{name}",
                    f"{where}.{name} must have at most {MAX_ROWS + 1} rows; got {len(column)}",
                    max=MAX_ROWS + 1,
                    got=len(column),
                )
    c = run.counters
    if c.diverged_at is not None and c.diverged_at > c.step:
        raise bad_run("counters.diverged_at", "counters.diverged_at must be at most the step")
    if run.optimizer.t > c.step:
        raise bad_run(
            "optimizer.t",
            f"optimizer.t counts updates: at most the step ({c.step}); got {got(run.optimizer.t)}",
        )
    return run


def _explained(e: ValidationError) -> ClientError:
    first = e.errors(include_url=False)[0]
    path = ".".join(str(p) for p in first.get("loc", ()) if not _union_tag(p))
    msg = str(first.get("msg", "invalid value"))
    return bad_run(
        path or None,
        f"{path or 'the run'}: {msg}; got {got(first.get('input'))!r}",
        reason=first.get("type", ""),
        got=got(first.get("input")),
    )


def _union_tag(part: Any) -> bool:
    """pydantic names the member of a union it tried ("constrained-int", "float"): not a
    field of the run."""
    return isinstance(part, str) and (
        "-" in part or "[" in part or part in ("int", "float", "str", "bool", "none")
    )
