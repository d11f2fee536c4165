"""Training from the shell: `python -m app train ...` and `python -m app export run.json`.

    python -m app train --dataset spiral --hidden-layers 8,8 --activation relu \\
        --steps 5000 --out run.json
    python -m app train --config run.json --steps 1000 --out run.json   # continue a run
    python -m app export run.json --out run.py                           # the NumPy script

The options are the page's settings with the page's names, bounds and error messages (one
TrainingConfig validates both). A tqdm bar shows the loss and accuracy as it trains.
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
)
from app.training.live.session import TrainingSession
from app.training.takehome.runfile import load_run, save_run
from app.training.takehome.script import export_script, script_filename

LISTS = {"hidden_layers", "features"}  # given as comma-separated values: --hidden-layers 8,8
UPDATES = 200  # the bar's loss and accuracy are refreshed about this many times


def _help(name: str) -> str:
    spec = CATALOGUE_FIELDS[name]
    text = spec["help"]
    if "options" in spec and spec["kind"] == "choice":
        text += f"; one of {', '.join(spec['options'])}"
    elif "min" in spec and spec["kind"] in ("int", "float"):
        text += f"; {spec['min']:g} to {spec['max']:g}"
    if name in LISTS:
        text += " (comma-separated)"
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


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for name in TrainingConfig.model_fields:
        value = getattr(args, name, None)
        if value is None:
            continue
        kind = CATALOGUE_FIELDS[name]["kind"]
        if name in LISTS:
            items = [v.strip() for v in value.split(",") if v.strip()]
            given[name] = [_number(v, "int") for v in items] if kind == "layers" else items
        else:
            given[name] = _number(value, kind)
    return given


def _read_run(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError("config", f"cannot read {path}: {e.strerror}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConfigError("config", f"{path} is not a JSON run file: {e}") from e


def make_session(args: argparse.Namespace) -> TrainingSession:
    """A session from --config and/or the settings; ConfigError names a bad one."""
    given = _settings(args)
    if args.config is not None:
        session = load_run(_read_run(args.config))
        if given:
            session.configure(given)
        return session
    spec = DATASETS.get(given.get("dataset", "xor"))
    preset = PRESETS["image"] if spec is not None and spec.kind == "image" else {}
    wanted = {**{k: v for k, v in preset.items() if k != "speed"}, **given}
    try:
        return TrainingSession(TrainingConfig.model_validate(wanted))
    except ValidationError as e:
        raise explain(e) from e


def figures(session: TrainingSession) -> str:
    f = session.frame("paused", plane=False)
    line = f"step={session.step} train_loss={f['train']['loss']!r} "
    line += f"train_accuracy={f['train']['accuracy']!r} test_loss={f['test']['loss']!r} "
    return line + f"test_accuracy={f['test']['accuracy']!r}"


def train(session: TrainingSession, steps: int, quiet: bool = False) -> None:
    """Train `steps` steps (fewer if the run diverges) behind a progress bar."""
    chunk = max(1, steps // UPDATES)
    with tqdm(total=steps, unit="step", disable=quiet, dynamic_ncols=True) as bar:
        done = 0
        while done < steps and not session.diverged:
            n = session.advance(min(chunk, steps - done))
            done += n
            train_fig = session.frame("running", plane=False)["train"]
            bar.update(n)
            bar.set_postfix(loss=train_fig["loss"], acc=train_fig["accuracy"], refresh=False)


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            session = load_run(_read_run(args.run))
            out = args.out or Path(script_filename(session))
            out.write_text(export_script(session), encoding="utf-8")
            print(f"wrote {out} (step {session.step}): python {out} --steps 1000")
            return 0
        if args.steps < 0:
            raise ConfigError("steps", f"steps must be 0 or more; got {args.steps}")
        session = make_session(args)
    except ConfigError as e:
        parser.error(e.message if e.field and e.field in e.message else f"{e.field}: {e.message}")
    train(session, args.steps, args.quiet)
    print(figures(session))
    if args.out is not None:
        args.out.write_text(json.dumps(json_safe(save_run(session))), encoding="utf-8")
        print(f"saved the run to {args.out}")
    if session.diverged:
        print(session.status("diverged")["message"], file=sys.stderr)
        return 1
    return 0
