"""`python -m app train` / `python -m app export`, end to end in subprocesses."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.training.takehome.test_script_export import run_script

FIGURES = re.compile(r"^step=(\d+) train_loss=(\S+) train_accuracy=(\S+) test_loss=(\S+)")


def app(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300,
        check=check,
    )  # fmt: skip


def figures(out: str) -> tuple[int, float]:
    line = next(x for x in out.splitlines() if x.startswith("step="))
    step, loss, *_ = FIGURES.match(line).groups()
    return int(step), float(loss)


def test_train_continue_and_export_are_one_run(tmp_path):
    flags = ["--dataset", "spiral", "--hidden-layers", "8,8", "--activation", "relu"]
    whole = app("train", *flags, "--steps", "500", "--quiet")
    first = app("train", *flags, "--steps", "300", "--out", str(tmp_path / "run.json"))
    assert "300/300" in first.stderr and "loss=" in first.stderr  # tqdm's bar, with figures
    then = app("train", "--config", str(tmp_path / "run.json"), "--steps", "200", "--quiet")
    assert figures(then.stdout) == figures(whole.stdout)  # 300 + 200 steps == 500 steps
    assert figures(whole.stdout)[0] == 500

    run = json.loads((tmp_path / "run.json").read_text())
    assert run["config"]["hidden_layers"] == [8, 8] and run["counters"]["step"] == 300
    app("export", str(tmp_path / "run.json"), "--out", str(tmp_path / "run.py"))
    step, loss, _ = run_script(tmp_path / "run.py", 200)
    # the shell prints 4 significant digits (the script's own run matches bit for bit:
    # tests/training/takehome/test_script_export.py)
    assert (step, loss) == pytest.approx(figures(whole.stdout), rel=1e-3)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--learning-rate", "50"], "learning_rate must be between 1e-05 and 10; got 50"),
        (["--activation", "swish"], "activation must be one of sigmoid, tanh"),
        (["--hidden-layers", "8,999"], "between 1 and 256 neurons"),
        (["--config", "missing.json"], "cannot read missing.json"),
        (["--hidden-layers", "8:relu:foo"], "hidden_layers[0]: 'foo' in '8:relu:foo' is not"),
        (["--hidden-layers", "8,8:bn:d0.95"], "hidden_layers[1].dropout must be between 0 and"),
        (["--hidden-layers", "8,4:res"], "hidden_layers[1]: a residual layer needs as many"),
        (["--hidden-layers", '[{"units": 8, "nrm": 1}]'], "hidden_layers[0]: unknown key 'nrm'"),
        (["--hidden-layers", "[8,"], "hidden_layers: not valid JSON"),
    ],
)
def test_bad_settings_get_the_pages_errors(args, words):
    result = app("train", *args, "--steps", "5", check=False)
    assert result.returncode == 2 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_layers_as_codes_or_json_train_the_same_net(tmp_path):
    """--hidden-layers takes the page's link codes (any order of parts) or JSON."""
    codes = app("train", "--hidden-layers", "8:relu:bn:d0.2,8:res:ln", "--steps", "50",
                "--quiet", "--out", str(tmp_path / "run.json"))  # fmt: skip
    layers = json.loads((tmp_path / "run.json").read_text())["config"]["hidden_layers"]
    assert layers == [
        {"units": 8, "activation": "relu", "norm": "batch", "dropout": 0.2, "residual": False},
        {"units": 8, "activation": None, "norm": "layer", "dropout": 0.0, "residual": True},
    ]
    as_json = app("train", "--hidden-layers", json.dumps(layers), "--steps", "50", "--quiet")
    assert figures(as_json.stdout) == figures(codes.stdout)


def test_mnist_gets_the_image_preset(tmp_path):
    result = app("train", "--dataset", "mnist", "--steps", "20", "--quiet", "--out",
                 str(tmp_path / "m.json"))  # fmt: skip
    run = json.loads((tmp_path / "m.json").read_text())
    assert run["config"]["hidden_layers"] == [64, 32] and run["config"]["activation"] == "relu"
    assert figures(result.stdout)[0] == 20


def test_export_of_a_foreign_file_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    result = app("export", str(tmp_path / "x.json"), check=False)
    assert result.returncode == 2 and "not a Backprop Playground run" in result.stderr


def test_regression_prints_r2_and_four_significant_digits():
    result = app("train", "--dataset", "sine", "--steps", "200", "--quiet")
    line = next(x for x in result.stdout.splitlines() if x.startswith("step="))
    fields = dict(part.split("=") for part in line.split())
    assert set(fields) == {"step", "train_loss", "train_r2", "test_loss", "test_r2"}
    for key in ("train_loss", "train_r2", "test_loss", "test_r2"):
        digits = fields[key].split("e")[0].lstrip("-0.").replace(".", "")
        assert 1 <= len(digits) <= 4, (key, fields[key])
    assert float(fields["test_r2"]) > 0  # the sine preset (mse, relu) has learned something


def test_help_gives_integer_ranges_as_integers():
    result = app("train", "--help")
    assert "0 to 4294967295" in " ".join(result.stdout.split())
    assert "e+09" not in result.stdout


def test_train_stops_at_a_stop_condition_and_the_script_stops_there_too(tmp_path):
    # --stop-at as key=value pairs; the run (a file) continued with --config stops at once
    # where the page would, never loops; the exported script of the start stops there too.
    run = tmp_path / "run.json"
    start = app("train", "--stop-at", "epochs=2", "--steps", "0", "--out", str(run), "--quiet")
    assert figures(start.stdout)[0] == 0
    done = app("train", "--config", str(run), "--steps", "500", "--quiet")
    assert "Stopped at step 50: epoch 2.0 reached (stop_at.epochs = 2.0)" in done.stdout
    assert figures(done.stdout)[0] == 50
    app("export", str(run), "--out", str(tmp_path / "run.py"))
    assert run_script(tmp_path / "run.py", 500)[0] == 50
    same = app("train", "--stop-at", '{"epochs": 2}', "--steps", "500", "--quiet")
    assert figures(same.stdout) == figures(done.stdout)


def test_a_bad_stop_at_names_the_field():
    bad = app("train", "--stop-at", "epochs", "--steps", "1", check=False)
    assert bad.returncode == 2 and "stop_at must be key=value pairs" in bad.stderr
    bad = app("train", "--stop-at", "epochs=-1", "--steps", "1", check=False)
    assert bad.returncode == 2 and "stop_at.epochs" in bad.stderr
