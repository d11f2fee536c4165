"""Training from the shell: `python -m app train ...` and `python -m app export run.json`.

    python -m app train --dataset spiral --hidden-layers 8,8 --activation relu \\
        --steps 5000 --out run.json
    python -m app train --dataset xor --hidden-layers 8:relu:bn:d0.2,8:tanh:res --steps 2000
    python -m app train --config run.json --steps 1000 --out run.json   # continue a run
    python -m app export run.json --out run.py                           # the NumPy script

The options are the page's settings with the page's names, bounds and error messages (one
TrainingConfig validates both). --hidden-layers takes each layer as the page's links write it
(a width, or width:activation:bn|ln:d<dropout>:res, the parts in any order) or as JSON.
A tqdm bar shows the loss and accuracy as it trains.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from app.data import DATASETS
from app.training.frames.encode import json_safe
from app.training.live.config import (
    CATALOGUE_FIELDS,
    PRESETS,
    ConfigError,
    TrainingConfig,
    explain,
    preset_key,
)
from app.training.live.layers import parse_layer_code
from app.training.live.session import TrainingSession
from app.training.takehome.run_schema import MAX_FILE_BYTES, bad_run, parse_run
from app.training.takehome.runfile import load_run, save_run
from app.training.takehome.script import export_script, script_filename

LISTS = {"hidden_layers", "features"}  # given as comma-separated values: --hidden-layers 8,8
LAYERS_HELP = (
    "; a layer is a width or width:activation:bn|ln:d<dropout>:res as in the page's links "
    "(bn batch norm, ln layer norm, res residual; any order), e.g. 8:relu:bn:d0.2,8:tanh:res, "
    'or JSON: [{"units": 8, "norm": "batch"}]'
)
UPDATES = 200  # the bar's loss and accuracy are refreshed about this many times


def _help(name: str) -> str:
    spec = CATALOGUE_FIELDS[name]
    text = spec["help"]
    if "options" in spec and spec["kind"] == "choice":
        text += f"; one of {', '.join(spec['options'])}"
    elif "min" in spec and spec["kind"] == "int":  # whole numbers in full: 0 to 4294967295
        text += f"; {int(spec['min'])} to {int(spec['max'])}"
    elif "min" in spec and spec["kind"] == "float":
        text += f"; {spec['min']:g} to {spec['max']:g}"
    if name in LISTS:
        text += " (comma-separated)"
    if name == "hidden_layers":
        text += LAYERS_HELP
    if spec["kind"] == "object":
        text += f"; key=value pairs (or JSON) of {', '.join(spec['default'])}"
    default = spec["default"]
    shown = ",".join(map(str, default)) if isinstance(default, list) else default
    return f"{text} (default {shown})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app", description="Train or export Backprop Playground runs."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a network in the terminal")
    train.add_argument("--config", type=Path, help="continue this saved run (a .json file)")
    train.add_argument("--steps", type=int, default=1000, help="steps to train (default 1000)")
    train.add_argument("--out", type=Path, help="save the run here (JSON, opens on the page)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    settings = train.add_argument_group("settings (as on the page)")
    for name in TrainingConfig.model_fields:
        if name != "speed":
            flag = "--" + name.replace("_", "-")
            settings.add_argument(flag, dest=name, metavar="VALUE", help=_help(name))
    export = sub.add_parser("export", help="write a saved run as a NumPy-only Python script")
    export.add_argument("run", type=Path, help="a saved run (.json)")
    export.add_argument(
        "--out", type=Path, help="the script to write (default: a name from the run)"
    )
    return parser


def _number(text: str, kind: str) -> Any:
    """Text to a number: "8" -> 8 for an int setting, "0.3" -> 0.3 for a float one; else
    the text stays (and the config says what it wanted, as it would to the page)."""
    try:
        return int(text) if kind == "int" else float(text) if kind == "float" else text
    except ValueError:
        return text


def _object(name: str, text: str) -> dict[str, Any]:
    """--stop-at epochs=5,loss=0.1 (or JSON: '{"epochs": 5}') -> {"epochs": 5, "loss": 0.1};
    "none" clears a key. The config then checks the keys and their bounds."""
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(name, f"{name} must be a JSON object: {e.msg}") from None
        if isinstance(value, dict):
            return value
    pairs = [p.partition("=") for p in text.split(",") if p.strip()]
    if not pairs or any(not sep or not k.strip() for k, sep, _ in pairs):
        raise ConfigError(name, f"{name} must be key=value pairs, e.g. epochs=5; got {text!r}")
    out: dict[str, Any] = {}
    for key, _, raw in pairs:
        raw = raw.strip()
        kind = "int" if raw.lstrip("-").isdigit() else "float"  # "step" stays text
        out[key.strip()] = None if raw.lower() == "none" else _number(raw, kind)
    return out


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for name in TrainingConfig.model_fields:
        value = getattr(args, name, None)
        if value is None:
            continue
        kind = CATALOGUE_FIELDS[name]["kind"]
        if name == "hidden_layers":
            given[name] = _layers(value)
        elif name in LISTS:
            given[name] = [v.strip() for v in value.split(",") if v.strip()]
        elif kind == "object":  # stop_at, early_stopping, lr_schedule
            given[name] = _object(name, value)
        else:
            given[name] = _number(value, kind)
    return given


def _layers(text: str) -> Any:
    """--hidden-layers: JSON ("[8, {"units": 8, "norm": "batch"}]") or the page's layer codes,
    comma-separated ("8:relu:bn:d0.2,8:tanh:res"); the config checks what they say."""
    if text.lstrip().startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError("hidden_layers", f"hidden_layers: not valid JSON ({e})") from None
    codes = [c.strip() for c in text.split(",") if c.strip()]
    return [parse_layer_code(i, code) for i, code in enumerate(codes)]


def _read_run(path: Path) -> Any:
    """The run file's JSON, read no further than MAX_FILE_BYTES; ClientError if it is not
    one (load_run then checks what it holds)."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ConfigError("config", f"cannot read {path}: {e.strerror}") from e
    if len(data) > MAX_FILE_BYTES:
        raise bad_run(None, f"{path} is larger than a run file can be ({MAX_FILE_BYTES:,} bytes)")
    try:
        return parse_run(data)
    except ConfigError as e:
        raise bad_run(e.field, f"{path}: {e.message}") from None


def make_session(args: argparse.Namespace) -> TrainingSession:
    """A session from --config and/or the settings; ConfigError names a bad one."""
    given = _settings(args)
    if args.config is not None:
        session = load_run(_read_run(args.config))
        if given:
            session.configure(given)
        return session
    # the dataset's kind brings the page's preset: a net that reads digits, mse for values
    spec = DATASETS.get(given.get("dataset", "xor"))
    kind = preset_key(spec.kind, spec.task) if spec is not None else "2d"
    preset = PRESETS.get(kind, {}) if kind != "2d" else {}
    wanted = {**{k: v for k, v in preset.items() if k != "speed"}, **given}
    try:
        return TrainingSession(TrainingConfig.model_validate(wanted))
    except ValidationError as e:
        raise explain(e) from e


def _sig(value: float | None) -> str:
    """4 significant digits, as the page shows them: 0.2315, 1.047e-05."""
    return "none" if value is None else f"{value:.4g}"


def _score(figs: dict[str, Any]) -> str:
    """The task's score: R² for real-valued targets, else the accuracy."""
    return "r2" if figs.get("r2") is not None else "accuracy"


def figures(session: TrainingSession) -> str:
    """`step=… train_loss=… train_accuracy=… test_loss=… test_accuracy=…` (train_r2 and
    test_r2 for regression), 4 significant digits."""
    f = session.frame("paused", plane=False)
    tr, te = f["train"], f["test"]
    score = _score(tr)
    return (
        f"step={session.step} train_loss={_sig(tr['loss'])} train_{score}={_sig(tr[score])} "
        f"test_loss={_sig(te['loss'])} test_{score}={_sig(te.get(score))}"
    )


def train(session: TrainingSession, steps: int, quiet: bool = False) -> None:
    """Train `steps` steps (fewer if the run diverges or a stop condition fires) behind a
    progress bar."""
    chunk = max(1, steps // UPDATES)
    with tqdm(total=steps, unit="step", disable=quiet, dynamic_ncols=True) as bar:
        done = 0
        while done < steps and not session.diverged and not session.stopped:
            n = session.advance(min(chunk, steps - done))
            done += n
            train_fig = session.frame("running", plane=False)["train"]
            bar.update(n)
            score = _score(train_fig)
            shown = {
                "loss": _sig(train_fig["loss"]),
                "r2" if score == "r2" else "acc": _sig(train_fig[score]),
            }
            bar.set_postfix(shown, refresh=False)


def _fail(message: str) -> int:
    """Every refusal: one line on stderr, exit code 2 (as argparse's own)."""
    print(f"python -m app: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def export(path: Path, out: Path | None) -> int:
    """Write the run at `path` as a NumPy script; ConfigError if the file is no good run."""
    session = load_run(_read_run(path))
    out = out or Path(script_filename(session))
    try:
        out.write_text(export_script(session), encoding="utf-8")
    except OSError as e:
        return _fail(f"cannot write {out}: {e.strerror}")
    print(f"wrote {out} (step {session.step}): python {out} --steps 1000")
    return 0


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            return export(args.run, args.out)
        if args.steps < 0:
            raise ConfigError("steps", f"steps must be 0 or more; got {args.steps}")
        session = make_session(args)
    except ConfigError as e:
        named = not e.field or e.field in e.message
        return _fail(e.message if named else f"{e.field}: {e.message}")
    train(session, args.steps, args.quiet)
    if session.stopped:
        print(f"{session.stops.message()}.")  # as the page's status says it
    print(figures(session))
    if args.out is not None:
        args.out.write_text(json.dumps(json_safe(save_run(session))), encoding="utf-8")
        print(f"saved the run to {args.out}")
    if session.diverged:
        print(session.status("diverged")["message"], file=sys.stderr)
        return 1
    return 0
