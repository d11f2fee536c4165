"""The session as one NumPy-only Python file that continues the run exactly.

`export_script(session)` fills run_script.tmpl with the session's config, weights, optimizer
state and batch order. Built-in 2-D data travels as its generator and seed (checked, before
it is written, to rebuild the very same inputs; otherwise, and for uploaded data and MNIST,
the rows themselves go in, compressed).
"""

from __future__ import annotations

import inspect
import math
import textwrap
from pathlib import Path
from string import Template
from typing import Any

import numpy as np

from app.data import dataset as data_module
from app.data import generators
from app.nn import scheduled_rate
from app.training.frames.encode import packed
from app.training.live.layers import describe_layers
from app.training.takehome import script_parts as parts
from app.training.takehome.script_network import network_code
from app.training.takehome.script_stopping import stopping_fields, watched
from app.training.takehome.script_surgery import surgery_code

TEMPLATE = Path(__file__).with_name("run_script.tmpl")
LITERAL_MAX = 64  # arrays up to this many numbers are written out; longer ones are packed
SCRIPT_FEATURES = {
    "x1": "z[:, 0]",
    "x2": "z[:, 1]",
    "x1_sq": "z[:, 0] ** 2",
    "x2_sq": "z[:, 1] ** 2",
    "x1x2": "z[:, 0] * z[:, 1]",
    "sin_x1": "np.sin(z[:, 0])",
    "sin_x2": "np.sin(z[:, 1])",
}


def script_filename(session) -> str:
    cfg = session.config
    return f"{cfg.dataset}_{cfg.activation}_{cfg.optimizer}_step{session.step}.py"


def export_script(session) -> str:
    """The run as a Python file (text). Call holding the session's lock."""
    cfg, net, opt = session.config, session.net, session.opt
    dtype = np.dtype(cfg.dtype).name
    scheduled = cfg.lr_schedule.kind != "constant" or cfg.lr_schedule.warmup > 0
    sizes = "-".join(str(n) for n in net.sizes)
    schedule_step = "    set_rate(len(idx))\n" if scheduled else ""
    fields = {
        "title": f"{cfg.dataset}: a {sizes} network, {cfg.activation}, {cfg.optimizer}",
        "filename": script_filename(session),
        "step": session.step,
        "summary": textwrap.fill(_summary(session), 92, subsequent_indent="    "),
        "dtype": dtype,
        "imports": "import math\n"
        if cfg.optimizer == "adam" or scheduled or watched(session)
        else "",
        "data": _data_code(session),
        "eval_subset": _eval_code(session),
        "sizes": sizes,
        "activation": cfg.activation,
        "output_activation": net.loss_fn.output_activation,
        "params": _dict_code("params", dict(net.params), dtype),
        "l1": repr(float(net.l1)),
        "l2": repr(float(net.l2)),
        "n_layers": len(net.sizes) - 1,
        "network_code": network_code(net, _loss_key(session)),
        "stats": _dict_code("stats", net.running_stats(), dtype)
        if net.running_stats()
        else "stats = {}  # batch norm's running statistics: none in this network",
        "layers": _layers_code(net),
        "dropout_rng": _dropout_rng_code(net),
        "score_name": "r2" if session.data.is_regression else "accuracy",
        "targets": (
            "y_train, y_test = y_train.astype(DTYPE), y_test.astype(DTYPE)  # real targets\n"
            if session.data.is_regression
            else ""
        ),
        "optimizer": cfg.optimizer,
        "optimizer_code": _optimizer_code(cfg, opt, net, dtype),
        "rng_state": _rng_state_code(session.rng),
        "order": _array_code(session.order, "np.int64"),
        "cursor": session.cursor,
        "batch_size": min(cfg.batch_size, session.n_train),
        "surgery": surgery_code(net, schedule_step),  # frozen and killed units, if any
        "schedule_code": _schedule_code(session) if scheduled else "",
        "schedule_step": schedule_step,
        "examples": session.examples,
        **stopping_fields(session, _dict_code),  # stop_at and early stopping, if set
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(fields)


def _layers_code(net) -> str:
    """LAYERS: one dict per hidden layer, as reference_net.py reads them."""
    rows = [
        f'    {{"activation": "{s.activation}", "norm": "{s.norm}", "dropout": {s.dropout!r}, '
        f'"residual": {s.residual!r}}},  # {s.units} units'
        for s in net.specs
    ]
    return "[\n" + "\n".join(rows) + "\n]" if rows else "[]"


def _dropout_rng_code(net) -> str:
    if not any(s.dropout for s in net.specs):
        return "dropout_rng = None  # no dropout in this network"
    return (
        "# Dropout masks are drawn from this generator, where the page's network left it.\n"
        "dropout_rng = np.random.default_rng()\n"
        f"dropout_rng.bit_generator.state = {net.rng.bit_generator.state!r}"
    )


def _loss_key(session) -> str:
    return "regression" if session.data.is_regression else session.config.loss


def _summary(session) -> str:
    cfg, d = session.config, session.data
    layers = describe_layers(cfg.hidden_layers) or "none"
    task = "real targets" if d.is_regression else f"{d.n_classes} classes"
    return (
        f"{cfg.dataset} data ({d.kind}, {task}, {session.n_train} training "
        f"examples), hidden layers [{layers}], {cfg.activation}, {cfg.loss}, {cfg.optimizer} "
        f"with learning rate {cfg.learning_rate:g}, batch {min(cfg.batch_size, session.n_train)}"
        f", l1 {cfg.l1:g}, l2 {cfg.l2:g}, {cfg.dtype}; {session.step} steps, "
        f"epoch {session.epoch:.2f}."
    )


# -- numbers as code -------------------------------------------------------------------------


def _number(x, dtype: np.dtype) -> str:
    """The shortest text that reads back as exactly this value of `dtype` (valid Python
    whatever the weights hold: a diverged run's NaN and infinities too)."""
    if dtype.kind == "f" and not math.isfinite(x):
        return 'float("nan")' if math.isnan(x) else f'{"-" if x < 0 else ""}float("inf")'
    short = str(dtype.type(x)) if dtype.kind == "f" else str(x)
    if dtype.kind == "f" and dtype.type(float(short)) != x:
        short = repr(float(x))
    return short


def _array_code(a: np.ndarray, dtype_code: str, indent: int = 4) -> str:
    """Code that rebuilds array a exactly: a literal when short, else packed bytes."""
    a = np.asarray(a)
    if a.size > LITERAL_MAX or a.ndim > 2:
        p = packed(a)
        return f'unpack("{p["b64"]}", "{p["dtype"]}", {tuple(p["shape"])})'

    def row(r) -> str:
        return (
            "[" + ", ".join(_number(x, a.dtype) if a.dtype.kind == "f" else str(x) for x in r) + "]"
        )

    if a.ndim == 1:
        return f"np.array({row(a)}, dtype={dtype_code})"
    pad = " " * (indent + 4)
    rows = "".join(f"\n{pad}{row(r)}," for r in a)
    return f"np.array([{rows}\n{' ' * indent}], dtype={dtype_code})"


def _dict_code(name: str, arrays: dict[str, np.ndarray], dtype: str) -> str:
    lines = [f"{name} = {{"]
    for k, a in arrays.items():
        lines.append(f'    "{k}": {_array_code(a, "DTYPE")},  # {a.shape}')
    lines.append("}")
    return "\n".join(lines)


def _rng_state_code(rng: np.random.Generator) -> str:
    return repr(rng.bit_generator.state)


def _schedule_code(session) -> str:
    """The learning-rate schedule: the engine's own function, and the examples seen."""
    cfg = session.config
    return f'''

# The learning-rate schedule ({cfg.lr_schedule.kind}): each step's rate comes from the base
# rate and the epoch (EXAMPLES seen / training-set size), as on the page.
BASE_RATE = {float(cfg.learning_rate)!r}
SCHEDULE = {cfg.lr_schedule.model_dump()!r}


{inspect.getsource(scheduled_rate).strip()}


def set_rate(n):
    """Set LEARNING_RATE for the next step, of n examples (EXAMPLES: those seen before it)."""
    global LEARNING_RATE
    epoch = EXAMPLES / len(y_train)
    LEARNING_RATE = scheduled_rate(BASE_RATE, epoch, n / len(y_train), **SCHEDULE)
'''


def _optimizer_code(cfg, opt, net, dtype: str) -> str:
    slots = parts.SLOTS[cfg.optimizer]
    state_code = []
    for slot in slots:
        arrays = {
            k: (opt.state[k][slot] if k in opt.state else np.zeros_like(p))
            for k, p in net.params.items()
        }
        state_code.append(f"# {slot}: the optimizer's running {slot!r} for every parameter")
        state_code.append(_dict_code(slot, arrays, dtype))
    return Template(parts.OPTIMIZERS[cfg.optimizer]).substitute(
        learning_rate=repr(float(opt.learning_rate)),
        momentum=repr(float(cfg.momentum)),
        beta1=repr(float(cfg.beta1)),
        beta2=repr(float(cfg.beta2)),
        rho=repr(float(cfg.rho)),
        t=opt.t,
        state="\n".join(state_code),
    )


# -- the data --------------------------------------------------------------------------------


def _data_code(session) -> str:
    """Code that defines X_train, y_train, X_test, y_test (network inputs and labels)."""
    code = _generated_code(session)
    if code is not None and _rebuilds(code, session):
        return code
    return _embedded_code(session)


def _generated_code(session) -> str | None:
    cfg, d = session.config, session.data
    name = cfg.dataset
    if d.kind != "2d" or name == "custom":
        return None
    if name in parts.SKLEARN_FREE:
        gen = parts.SKLEARN_FREE[name].strip("\n")
    elif name in ("xor", "spiral") and hasattr(generators, name):
        gen = inspect.getsource(getattr(generators, name)).strip("\n")
    else:
        return None
    helpers = "\n\n\n".join(
        inspect.getsource(f).strip("\n")
        for f in (generators.class_sizes, generators._labels, data_module.stratified_split)
    )
    feats = "\n".join(f"        {SCRIPT_FEATURES[f]},  # {f}" for f in d.features)
    return f'''# The {name} points are drawn here as on the page: same generator, seed and split.
SEED = {cfg.seed}
N_SAMPLES = {cfg.n_samples}
NOISE = {cfg.noise!r}
CLASSES = {d.n_classes}
TRAIN_FRACTION = {cfg.train_fraction!r}


{helpers}


{gen}


raw, y = {name}(N_SAMPLES, NOISE, SEED, CLASSES)  # raw: (N, 2) coordinates, y: (N,) labels
train_idx, test_idx = stratified_split(y, TRAIN_FRACTION, SEED)
# Standardize with the training set's mean and std, then compute the chosen input features.
mean = raw[train_idx].mean(axis=0)
std = raw[train_idx].std(axis=0)
std = np.where(std > 1e-12, std, 1.0)


def features(points):
    """points: (M, 2) raw coordinates -> network inputs (M, D)."""
    z = (points - mean) / std
    return np.column_stack([
{feats}
    ])


X_train, y_train = features(raw[train_idx]), y[train_idx]
X_test, y_test = features(raw[test_idx]), y[test_idx]'''


def _rebuilds(code: str, session) -> bool:
    """Does this data code give exactly the session's inputs? (Else the rows are embedded.)"""
    scope: dict[str, Any] = {"np": np}
    try:
        exec(compile(code, "<exported data>", "exec"), scope)
    except Exception:
        return False
    dt = np.dtype(session.config.dtype)
    return all(
        np.array_equal(np.asarray(scope[k]).astype(dt), np.asarray(v).astype(dt))
        for k, v in (
            ("X_train", session.X_train),
            ("y_train", session.y_train),
            ("X_test", session.X_test),
            ("y_test", session.y_test),
        )
    )


def _embedded_code(session) -> str:
    d = session.data
    what = {"image": "the MNIST subset", "table": "the uploaded rows"}.get(d.kind, "the points")
    lines = [f"# The data is {what}, stored in this file (network inputs, ready to use)."]
    for split, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
        pixels = np.rint(np.asarray(X, np.float64) * 255.0)
        if d.kind == "image" and np.array_equal(
            pixels.astype(np.uint8).astype(np.float32) / np.float32(255.0), X
        ):
            lines.append(f"# Pixels are bytes 0..255, scaled to [0, 1] as the page does: {X.shape}")
            code = _array_code(pixels.astype(np.uint8), "np.uint8")
            lines.append(f"X_{split} = {code}.astype(np.float32) / np.float32(255.0)")
        else:
            lines.append(f"X_{split} = {_array_code(np.asarray(X), 'np.float64')}  # {X.shape}")
        y = np.asarray(y)
        code = "np.float64" if y.dtype.kind == "f" else "np.int64"
        lines.append(f"y_{split} = {_array_code(y.astype(code.removeprefix('np.')), code)}")
    return "\n".join(lines)


def _eval_code(session) -> str:
    if session.eval_idx is None:
        return "X_eval, y_eval = X_train, y_train  # the page reports the whole training set"
    n = len(session.eval_idx)
    return (
        f"# The page estimates the training loss on a fixed subset of {n} examples (cheaper):\n"
        f"eval_idx = np.sort(np.random.default_rng(0).choice(len(y_train), {n}, replace=False))\n"
        "X_eval, y_eval = X_train[eval_idx], y_train[eval_idx]"
    )
