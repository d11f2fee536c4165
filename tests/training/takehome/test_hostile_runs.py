"""Run files from anyone: every one is bounded before it costs memory or time, every bad one
is refused with bad_run naming the field, and exported scripts stay valid Python."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.data.features import compute_features
from app.errors import ClientError
from app.training.frames.encode import packed, unpacked
from app.training.live.config import TrainingConfig
from app.training.live.session import TrainingSession
from app.training.takehome import shell
from app.training.takehome.run_schema import parse_run
from app.training.takehome.runfile import load_run, save_run
from app.training.takehome.script import export_script
from tests.run_files import bomb, saved_run, zeros_stream


def refused(run) -> ClientError:
    with pytest.raises(ClientError) as e:
        load_run(run)
    assert e.value.code == "bad_run", e.value
    return e.value


def test_a_zlib_bomb_is_stopped_at_the_declared_size():
    """1 GiB of zeros in 1 MiB of zlib, declared as a 2x4 float32 array: at most 33 bytes
    are ever inflated."""
    run = saved_run()
    run["params"]["W1"] = bomb([2, 4], 1024)
    tracemalloc.start()
    err = refused(run)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.field == "params.W1" and "more than 33 bytes" in err.message
    assert peak < 16 * 2**20, f"{peak / 2**20:.0f} MiB allocated for a refusal"


def test_a_bomb_declaring_a_huge_shape_is_refused_before_inflating():
    p = bomb([20_000, 1024, 1024], 4)
    with pytest.raises(ValueError, match="at most"):
        unpacked(p, 64 * 2**20)
    run = saved_run()
    run["params"]["W1"] = p
    err = refused(run)
    assert err.field == "params.W1" and "shape (2, 4)" in err.message


def test_a_short_or_long_stream_is_refused():
    good = packed(np.arange(8, dtype=np.float32))
    assert unpacked(good).tolist() == list(range(8))
    with pytest.raises(ValueError, match="inflates to 4 bytes"):
        unpacked({**good, "b64": packed(np.arange(1, dtype=np.float32))["b64"]})
    with pytest.raises(ValueError, match="more than"):
        unpacked({**good, "b64": bomb([8], 1)["b64"]})


def custom_run(rows: int) -> dict:
    """A run on edited 2-D data, its data grown to `rows` rows (real arrays, packed)."""
    s = TrainingSession(TrainingConfig(dataset="xor"))
    s.advance(3)
    s.edit_point(1.0, 1.0, 1)
    run = json.loads(json.dumps(save_run(s)))
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(rows, 2))
    d = run["data"]
    z = (raw - unpacked(d["mean"])) / unpacked(d["std"])
    d["raw_train"] = packed(raw)
    d["X_train"] = packed(compute_features(z, tuple(d["features"])))
    d["y_train"] = packed(rng.integers(0, 2, rows))
    run["batches"].update(order=packed(rng.permutation(rows)), cursor=0)
    return run


def test_a_run_cannot_bypass_the_20000_row_limit():
    err = refused(custom_run(200_000))
    assert err.field == "data.X_train" and "at most 20,000 rows" in err.message
    assert err.params["got"] > 200_000


def with_(path: str, value):
    """A spoiler: the saved run with the field at `path` (dotted) set to value."""

    def spoil(run):
        *parents, last = path.split(".")
        d = run
        for p in parents:
            d = d[int(p)] if isinstance(d, list) else d[p]
        d[last] = value

    return spoil


@pytest.mark.parametrize(
    "path, value, field, words",
    [
        ("config.features", ["zz", "yy"], "config.features", "one of x1"),
        ("optimizer.t", 10**400, "optimizer.t", "401-digit"),
        ("optimizer.t", 10**6, "optimizer.t", "at most the step"),
        ("optimizer.name", "sgd", "optimizer.name", "'adam'"),
        ("counters.step", 10**4000, "counters.step", "4001-digit"),
        ("counters.step", True, "counters.step", "valid integer"),
        ("counters.examples", 2.5, "counters.examples", "valid integer"),
        ("counters.diverged_at", 99, "counters.diverged_at", "at most the step"),
        ("batches.rng.state.state", "0x" + "f" * 40, "batches.rng.state.state", "pattern"),
        ("batches.rng.bit_generator", "MT19937", "batches.rng.bit_generator", "PCG64"),
        ("batches.order", packed(np.arange(10)), "batches.order", "shape (250,)"),
        ("history.train_loss", ["0.5"], "history.train_loss.0", "valid"),
        ("history.step", [10**30], "history.step", "whole numbers"),
        ("history.step", list(range(5000)), "history.step", "at most 4001 rows"),
        ("params.W1.dtype", "<U8", "params.W1.dtype", "<f4"),
        ("params.W1.shape", [2, 4, 1, 1], "params.W1.shape", "at most 3 items"),
        (
            "pins",
            [{"config": {"dataset": "nope"}, "history": {}}],
            "pins.0.config.dataset",
            "one of",
        ),
        ("data", {"name": "x"}, "data", "carries no data"),
    ],
)
def test_inconsistent_runs_are_refused_by_field(path, value, field, words):
    run = saved_run()
    if path == "data":
        run["data"] = None
        run["config"]["dataset"] = "xor"
        run["data"] = custom_run(10)["data"]
    else:
        with_(path, value)(run)
    err = refused(run)
    assert err.field == field and words in err.message, (err.field, err.message)


@pytest.mark.parametrize(
    "path, value, field",
    [
        ("data.bounds", [["a", "b"], ["c", "d"]], "data.bounds.0.0"),
        ("data.bounds", [[1, 0], [0, 1]], "data.bounds"),
        ("data.features", ["zz", "yy"], "data.features"),
        ("data.mean", "x", "data.mean"),
        ("data.n_classes", 7, "data.n_classes"),
        ("data.kind", "image", "data.kind"),
        ("data.std", packed(np.array([0.0, 1.0])), "data.std"),
        ("data.X_train", packed(np.zeros((11, 2))), "data.X_train"),
        ("data.y_test", packed(np.full(4, 9)), "data.y_test"),
    ],
)
def test_inconsistent_data_is_refused_by_field(path, value, field):
    run = custom_run(11)
    with_(path, value)(run)
    err = refused(run)
    assert err.field == field, (err.field, err.message)


def test_a_good_custom_run_still_loads():
    s = load_run(custom_run(11))
    assert s.n_train == 11 and s.advance(5) == 5


@pytest.mark.parametrize(
    "text, reason",
    [
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ('{"format": ' + "9" * 5000 + "}", "digits"),
        ("{not json", "JSON"),
        (b"\xff\xfe", "UTF-8"),
        (json.dumps({"a": [[[[[[[[[[1]]]]]]]]]]}), "nested more than 8"),
    ],
)
def test_unreadable_files_are_bad_runs(text, reason):
    with pytest.raises(ClientError) as e:
        parse_run(text)
    assert e.value.code == "bad_run" and reason in e.value.message


BAD_FILES = {
    "deep.json": lambda: "[" * 100_000 + "]" * 100_000,
    "digits.json": lambda: '{"format": "backprop-playground-run", "version": ' + "9" * 5000 + "}",
    "features.json": lambda: json.dumps(with_spoiled("config.features", ["zz", "yy"])),
    "t.json": lambda: json.dumps(with_spoiled("optimizer.t", 10**400)),
    "bomb.json": lambda: json.dumps(with_spoiled("params.W1", bomb([2, 4], 256))),
    "missing.json": None,
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_export_of_a_bad_file_is_one_line_and_fails(name, tmp_path, capsys):
    if BAD_FILES[name] is not None:
        (tmp_path / name).write_text(BAD_FILES[name]())
    code = shell.main(["export", str(tmp_path / name), "--out", str(tmp_path / "x.py")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("python -m app: error:"), err
    assert not (tmp_path / "x.py").exists()


def test_the_cli_says_so_in_one_line_with_no_traceback(tmp_path):
    """As a user runs it: `python -m app export` on a deeply nested file."""
    root = Path(__file__).resolve().parents[3]
    (tmp_path / "deep.json").write_text(BAD_FILES["deep.json"]())
    r = subprocess.run(
        [sys.executable, "-m", "app", "export", str(tmp_path / "deep.json")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m app: error:"), lines
    assert "nested" in lines[0]


def with_spoiled(path: str, value) -> dict:
    run = saved_run()
    with_(path, value)(run)
    return run


def test_exported_scripts_are_valid_whatever_the_weights_hold(tmp_path):
    s = TrainingSession(TrainingConfig(hidden_layers=[3]))
    s.advance(5)
    s.net.params["W1"][0, 0] = np.nan
    s.net.params["b1"][:2] = [np.inf, -np.inf]
    script = tmp_path / "run.py"
    script.write_text(export_script(s))
    compile(script.read_text(), str(script), "exec")
    r = subprocess.run(
        [sys.executable, str(script), "--steps", "2"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "train_loss=nan" in r.stdout  # the NaN came along, as a number


def test_the_bomb_helper_is_honest():
    """The bomb really inflates to what it says (checked on a small one)."""
    import zlib

    assert zlib.decompress(zeros_stream(3)) == bytes(3 * 2**20)
    assert math.isclose(len(zeros_stream(1024)) / 2**20, 1.0, rel_tol=0.1)


def test_a_spoiled_copy_leaves_the_original():
    run = saved_run()
    spoiled = copy.deepcopy(run)
    with_("counters.step", -1)(spoiled)
    assert load_run(run).step == 3


def _paths(value, prefix=()):
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in list(enumerate(value))[:3]:
            out += _paths(v, (*prefix, i))
    return out


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
BASE = {"xor": saved_run(), "custom": custom_run(12)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_one_field_changed_is_refused_or_trains(data):
    """Whatever single value of a real run file is replaced: bad_run, or a run that steps."""
    run = copy.deepcopy(BASE[data.draw(st.sampled_from(sorted(BASE)))])
    path = data.draw(st.sampled_from(_paths(run)[1:]))
    parent = run
    for p in path[:-1]:
        parent = parent[p]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON)
    try:
        s = load_run(json.loads(json.dumps(run)))
    except ClientError as e:
        assert e.code == "bad_run" and e.message
        return
    assert s.advance(2) == 2 or s.diverged
    s.frame("paused")
