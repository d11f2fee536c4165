"""Client -> server messages. Each is a pydantic model; unknown fields are errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    param: str = Field(max_length=8)
    index: list[int] = Field(min_length=1, max_length=2)


class Predict(_Msg):
    type: Literal["predict"]
    point: list[float] | None = Field(None, min_length=2, max_length=2)
    image: list[Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        None, min_length=784, max_length=784
    )


class AddPoint(_Msg):
    type: Literal["add_point"]
    x: float = Field(ge=-1e6, le=1e6)
    y: float = Field(ge=-1e6, le=1e6)
    label: int = Field(ge=0, le=19)


class RemovePoint(_Msg):
    type: Literal["remove_point"]
    x: float = Field(ge=-1e6, le=1e6)
    y: float = Field(ge=-1e6, le=1e6)


class Export(_Msg):
    """Take the run home: `script` is the run as a NumPy-only Python file."""

    type: Literal["export"]
    format: Literal["script"]


ClientMessage = Annotated[
    Configure
    | Play
    | Pause
    | Step
    | Reset
    | Trace
    | GradCheck
    | Predict
    | AddPoint
    | RemovePoint
    | Export,
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
    "predict": Predict,
    "add_point": AddPoint,
    "remove_point": RemovePoint,
    "export": Export,
}
MESSAGE_TYPES = tuple(MODELS)
client_message = TypeAdapter(ClientMessage)
