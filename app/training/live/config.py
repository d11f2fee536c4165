"""The training configuration: one pydantic model that validates input and documents bounds.

The same model produces the catalogue sent to the page in `hello`, so the sliders' ranges,
options and defaults live here and nowhere else.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.data import (
    DATASETS,
    DEFAULT_FEATURES,
    FEATURES,
    N_SAMPLES_RANGE,
    NOISE_RANGE,
    SEED_RANGE,
    TRAIN_FRACTION_RANGE,
)
from app.errors import ClientError
from app.errors import explain as explain_error
from app.nn import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS
from app.nn.blocks import MAX_DROPOUT
from app.nn.bugs import BUGS
from app.training.live.layers import LAYER_KEYS, MAX_NEURONS, NORMS, parse_layers
from app.training.live.stopping import PARTS, EarlyStopping, LRSchedule, StopAt, part_catalogue

ConfigError = ClientError  # a refused config change: the one client-error type

MAX_LAYERS = 8
# The widest class range of any dataset; each dataset narrows it (blobs 2-8, spiral 2-5).
CLASSES_RANGE = (
    min(s.classes_range[0] for s in DATASETS.values() if s.classes_range),
    max(s.classes_range[1] for s in DATASETS.values() if s.classes_range),
)

# Keys that change the data, the model, or neither (live keys apply to a running session).
DATA_KEYS = frozenset(
    {"dataset", "n_samples", "noise", "train_fraction", "seed", "classes", "features"}
)
MODEL_KEYS = frozenset({"hidden_layers", "activation", "loss", "init", "dtype", "seed"})
STRUCTURAL_KEYS = DATA_KEYS | MODEL_KEYS

# What a switch between kinds of problem (2-D classes, 2-D values, 1-D curves, images) brings
# along, so the network suits the data: a 2-4-4-2 tanh net cannot read digits, a 784-64-32-10
# one is absurd for XOR, and a real-valued target needs mse. The page sends these with the
# dataset change; the server never changes a setting silently.
PRESETS: dict[str, dict[str, Any]] = {
    "image": {
        "loss": "cross_entropy",
        "hidden_layers": [64, 32],
        "activation": "relu",
        "init": "he_normal",
        "optimizer": "adam",
        "learning_rate": 0.003,
        "batch_size": 32,
        "speed": 8,
        "train_fraction": 0.8,
    },
    "2d": {
        "loss": "cross_entropy",
        "hidden_layers": [4, 4],
        "activation": "tanh",
        "init": "xavier_uniform",
        "optimizer": "sgd",
        "learning_rate": 0.03,
        "batch_size": 10,
        "speed": 50,  # 1,500 steps/s at 30 frames/s: 60 XOR epochs/s, TF Playground's pace
        "train_fraction": 0.5,
    },
    "2d_regression": {
        "loss": "mse",
        "hidden_layers": [8, 8],
        "activation": "tanh",
        "init": "xavier_uniform",
        "optimizer": "adam",
        "learning_rate": 0.01,
        "batch_size": 10,
        "speed": 50,
        "train_fraction": 0.5,
    },
    # A small relu net: its curve is visibly a sum of 16 hinges (two waves of sin 2x need ~8).
    "1d": {
        "loss": "mse",
        "hidden_layers": [16],
        "activation": "relu",
        "init": "he_uniform",
        "optimizer": "adam",
        "learning_rate": 0.03,
        "batch_size": 10,
        "speed": 10,
        "train_fraction": 0.7,
    },
}


def preset_key(kind: str, task: str) -> str:
    """The PRESETS entry for data of this kind and task."""
    return "2d_regression" if kind == "2d" and task == "regression" else kind


def _f(
    default: Any,
    label: str,
    help: str,
    ge: Any = None,
    le: Any = None,
    *,
    live: bool = False,
    log: bool = False,
) -> Any:
    """A field with its label, help, bounds [ge, le] and whether it applies live."""
    return Field(
        default,
        description=help,
        json_schema_extra={"label": label, "live": live, "log": log},
        ge=ge,
        le=le,
    )


class TrainingConfig(BaseModel):
    """Everything that defines a run. Unknown keys are errors, not ignored; numbers must be
    numbers and finite, booleans booleans: nothing is coerced from a string."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False
    )

    dataset: str = _f("xor", "Dataset", "Which data to learn")
    # Data bounds are the data registry's (the generators check the same ranges).
    n_samples: int = _f(500, "Samples", "Number of 2-D points", *N_SAMPLES_RANGE)
    noise: float = _f(0.1, "Noise", "How much the classes overlap (0 = clean)", *NOISE_RANGE)
    train_fraction: float = _f(
        0.5, "Train share", "Share of the data used for training", *TRAIN_FRACTION_RANGE
    )
    seed: int = _f(0, "Seed", "Seeds the data and the initial weights", *SEED_RANGE)
    classes: int = _f(3, "Classes", "Number of classes (blobs) or arms (spiral)", *CLASSES_RANGE)
    features: list[str] = _f(
        list(DEFAULT_FEATURES), "Features", "Input features computed from (X₁, X₂)"
    )
    hidden_layers: list[Any] = _f(
        [4, 4],
        "Hidden layers",
        "Neurons in each hidden layer, or per layer {units, activation, norm, dropout, residual}",
    )
    activation: str = _f("tanh", "Activation", "Non-linearity of the hidden layers")
    loss: str = _f("cross_entropy", "Output + loss", "Output layer and the loss it pairs with")
    init: str = _f("xavier_uniform", "Initializer", "How the first weights are drawn")
    optimizer: str = _f("sgd", "Optimizer", "How gradients become updates", live=True)
    learning_rate: float = _f(
        0.03, "Learning rate", "Step size", live=True, log=True, ge=1e-5, le=10.0
    )
    batch_size: int = _f(10, "Batch size", "Examples per step", live=True, ge=1, le=5000)
    momentum: float = _f(
        0.9, "Momentum", "Velocity kept between steps", live=True, ge=0.0, le=0.999
    )
    beta1: float = _f(0.9, "β₁", "Adam: decay of the mean gradient", live=True, ge=0.0, le=0.999)
    beta2: float = _f(
        0.999, "β₂", "Adam: decay of the squared gradient", live=True, ge=0.0, le=0.99999
    )
    rho: float = _f(
        0.9, "ρ", "RMSprop: decay of the squared gradient", live=True, ge=0.0, le=0.9999
    )
    l1: float = _f(0.0, "L1", "L1 penalty rate on weights", live=True, ge=0.0, le=1.0)
    l2: float = _f(0.0, "L2", "L2 penalty rate on weights", live=True, ge=0.0, le=1.0)
    speed: float = _f(
        50,
        "Speed",
        "Training steps per frame; below 1, one step every few frames (slow motion)",
        live=True,
        log=True,
        ge=0.03,
        # At top speed a frame trains until it is due (the frame budget): the engine's pace,
        # not this cap, bounds it (2,000 a frame: 60,000 steps/s at 30 frames/s)
        le=2000,
    )
    # Objects of their own (app/training/live/stopping.py); a change replaces the whole object.
    lr_schedule: LRSchedule = Field(
        default_factory=LRSchedule,
        description="How the learning rate changes with the epoch",
        json_schema_extra={"label": "LR schedule", "live": True, "log": False},
    )
    stop_at: StopAt = Field(
        default_factory=StopAt,
        description="Stop when any of these is reached",
        json_schema_extra={"label": "Stop at", "live": True, "log": False},
    )
    early_stopping: EarlyStopping = Field(
        default_factory=EarlyStopping,
        description="Stop when the test loss stops improving; the best weights come back",
        json_schema_extra={"label": "Early stopping", "live": True, "log": False},
    )
    dtype: Literal["float32", "float64"] = _f("float32", "Precision", "Floating-point type")

    @field_validator("dataset", "activation", "loss", "init", "optimizer")
    @classmethod
    def _name_known(cls, v: str, info: ValidationInfo) -> str:
        return _one_of(info.field_name, v, _CHOICES[info.field_name])

    @field_validator("features")
    @classmethod
    def _features_known(cls, v: list[str]) -> list[str]:
        if not v:
            raise PydanticCustomError(
                "out_of_range",
                f"features: choose at least one of {', '.join(FEATURES)}",
                {"min": 1, "max": len(FEATURES), "got": 0, "of": "length"},
            )
        for name in v:
            _one_of("features", name, FEATURES)
        if len(set(v)) != len(v):
            raise ValueError("features: each feature may appear once")
        return [f for f in FEATURES if f in v]  # canonical order: the inputs never reshuffle

    @field_validator("hidden_layers")
    @classmethod
    def _layers_in_range(cls, v: list[Any]) -> list[Any]:
        if len(v) > MAX_LAYERS:
            raise PydanticCustomError(
                "out_of_range",
                f"hidden_layers: between 0 and {MAX_LAYERS} hidden layers; got {len(v)}",
                {"min": 0, "max": MAX_LAYERS, "got": len(v), "of": "length"},
            )
        return parse_layers(v)


# The names each string setting accepts: the registries that build them.
_CHOICES: dict[str, Any] = {
    "dataset": [*DATASETS, "custom"],
    "activation": ACTIVATIONS,
    "loss": LOSSES,
    "init": INITIALIZERS,
    "optimizer": OPTIMIZERS,
}


def _one_of(field: str, value: str, allowed: Any) -> str:
    if value not in allowed:
        raise PydanticCustomError(
            "invalid_choice",
            f"{field} must be one of {', '.join(allowed)}; got {value!r}",
            {"allowed": list(allowed), "got": value},
        )
    return value


def explain(error: ValidationError) -> ConfigError:
    """Turn pydantic's first complaint about a config into one ClientError; inside an object
    field (lr_schedule, stop_at, early_stopping) it names the part: "lr_schedule.gamma"."""
    first = error.errors(include_url=False)[0]
    loc = first.get("loc", ())
    if len(loc) > 1 and loc[0] in PARTS and isinstance(loc[1], str):
        inner = explain_error([{**first, "loc": loc[1:]}], PARTS[loc[0]], what=str(loc[0]))
        text = inner.message if inner.code == "unknown_field" else f"{loc[0]}.{inner.message}"
        return ConfigError(f"{loc[0]}.{inner.field}", text, inner.code, inner.params)
    return explain_error(error, TrainingConfig, what="config")


# How the page names each option of a choice (the names themselves are the registries').
OPTION_LABELS: dict[str, str] = {
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": "Linear",
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "cross_entropy": "Softmax + cross-entropy",
    "binary_cross_entropy": "Sigmoid + BCE",
    "mse": "Linear + MSE",
    "xavier_uniform": "Xavier uniform",
    "xavier_normal": "Xavier normal",
    "he_uniform": "He uniform",
    "he_normal": "He normal",
    "lecun_normal": "LeCun normal",
    "normal": "Normal(σ)",
    "zeros": "Zeros",
    "constant": "Constant",
}


def _catalogue_fields() -> dict[str, dict[str, Any]]:
    options = {
        "dataset": list(DATASETS),
        "activation": list(ACTIVATIONS),
        "loss": list(LOSSES),
        "init": list(INITIALIZERS),
        "optimizer": list(OPTIMIZERS),
        "dtype": ["float32", "float64"],
    }
    fields: dict[str, dict[str, Any]] = {}
    for name, info in TrainingConfig.model_fields.items():
        extra = dict(info.json_schema_extra or {})
        entry: dict[str, Any] = {
            "label": extra["label"],
            "help": info.description,
            "live": extra["live"],
            "default": info.get_default(call_default_factory=True),
        }
        if name in PARTS:  # an object: its sub-fields with their own bounds
            entry.update(
                kind="object",
                default=entry["default"].model_dump(),
                fields=part_catalogue(PARTS[name]),
            )
        elif name in options:
            labels = {o: OPTION_LABELS[o] for o in options[name] if o in OPTION_LABELS}
            entry.update(kind="choice", options=options[name], labels=labels)
        elif name == "features":
            entry.update(
                kind="features", options=[{"id": k, "label": v} for k, v in FEATURES.items()]
            )
        elif name == "hidden_layers":
            entry.update(
                kind="layers",
                min_layers=0,
                max_layers=MAX_LAYERS,
                min=1,
                max=MAX_NEURONS,
                # a layer may be an object: these are its keys' choices and bounds
                layer={
                    "keys": list(LAYER_KEYS),
                    "activation": list(ACTIVATIONS),
                    "norm": list(NORMS),
                    "dropout": {"min": 0.0, "max": MAX_DROPOUT, "step": 0.1},
                    "residual": "bool",
                },
            )
        else:
            entry["kind"] = "int" if info.annotation is int else "float"
            entry["log"] = extra["log"]
            for meta in info.metadata:
                if hasattr(meta, "ge"):
                    entry["min"] = meta.ge
                if hasattr(meta, "le"):
                    entry["max"] = meta.le
        users = [o for o, cls in OPTIMIZERS.items() if name in cls.hyperparameters]
        if users and len(users) < len(OPTIMIZERS):  # e.g. momentum: shown for 2 optimizers
            entry["when"] = {"optimizer": users}
        fields[name] = entry
    return fields


CATALOGUE_FIELDS = _catalogue_fields()


def catalogue() -> dict[str, Any]:
    """Options, bounds, defaults and dataset previews for the page's controls."""
    datasets = []
    for spec in DATASETS.values():
        preview = spec.preview(n=120, seed=0) if spec.kind in ("2d", "1d") else None
        datasets.append(
            {
                "name": spec.name,
                "label": spec.label,
                "kind": spec.kind,
                "task": spec.task,
                "preset": preset_key(spec.kind, spec.task),
                "description": spec.description,
                "uses_classes": spec.uses_classes,
                "classes_range": spec.classes_range,
                "default_noise": spec.default_noise,
                "default_n_samples": spec.default_n_samples,
                "preview": [[x, y, c] for x, y, c in preview]  # c: class, or a value in [-1, 1]
                if preview is not None
                else None,
            }
        )
    return {
        "fields": CATALOGUE_FIELDS,
        "datasets": datasets,
        "presets": PRESETS,
        "bugs": list(BUGS),  # what a bug hunt may plant (app/nn/bugs.py)
    }
