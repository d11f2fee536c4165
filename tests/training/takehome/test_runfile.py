"""Saved runs: save -> JSON -> load -> step is the same run, bit for bit; bad files are refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.data import parse_csv
from app.training.live.config import ConfigError, TrainingConfig
from app.training.live.session import TrainingSession
from app.training.takehome.runfile import load_run, save_run


def round_trip(s: TrainingSession) -> TrainingSession:
    return load_run(json.loads(json.dumps(save_run(s))))


def assert_same_run(a: TrainingSession, b: TrainingSession, steps: int = 40) -> None:
    a.advance(steps)
    b.advance(steps)
    assert (a.step, a.examples, a.cursor) == (b.step, b.examples, b.cursor)
    for name, p in a.net.params.items():
        assert p.tobytes() == b.net.params[name].tobytes(), name
    assert a.frame("paused")["train"] == b.frame("paused")["train"]


@pytest.mark.parametrize(
    "config",
    [
        dict(dataset="moons", optimizer="adam", l2=0.01),
        dict(dataset="spiral", optimizer="rmsprop", dtype="float64", hidden_layers=[8, 8]),
        dict(dataset="blobs", classes=5, optimizer="nesterov", loss="mse", batch_size=64),
        dict(dataset="circles", optimizer="momentum", loss="binary_cross_entropy"),
        dict(dataset="sine", loss="mse", optimizer="adam", hidden_layers=[8]),
    ],
    ids=lambda c: c["dataset"],
)
def test_a_loaded_run_continues_exactly(config):
    s = TrainingSession(TrainingConfig(**config))
    s.advance(57)  # mid-epoch, with optimizer state
    s.frame("paused")
    t = round_trip(s)
    assert t.history.rows == s.history.rows and t.step == 57
    assert_same_run(s, t, steps=300)  # crosses epochs: the generator's state came along


def test_edited_and_uploaded_data_travel_in_the_run():
    s = TrainingSession(TrainingConfig(dataset="xor"))
    s.advance(10)
    s.edit_point(2.0, -2.0, 1)
    t = round_trip(s)
    assert t.config.dataset == "custom" and t.n_train == s.n_train
    np.testing.assert_array_equal(t.data.raw_train, s.data.raw_train)
    assert t.data.bounds == s.data.bounds
    assert_same_run(s, t)

    rows = ["a,b,c,y"] + [f"{i % 7},{i % 5 - 2},{(i * 3) % 11},{'pq'[i % 2]}" for i in range(60)]
    u = TrainingSession()
    u.load_dataset(parse_csv("\n".join(rows).encode(), seed=2))
    u.advance(13)
    v = round_trip(u)
    assert v.data.kind == "table" and v.data.class_names == ["p", "q"]
    assert_same_run(u, v)


def test_pins_and_history_are_kept():
    s = TrainingSession()
    s.advance(5)
    s.frame()
    s.pins.append({"config": s.config.model_dump(), "step": 5, "history": s.history.to_columns()})
    t = round_trip(s)
    assert t.pins == s.pins and t.history.to_csv() == s.history.to_csv()


def saved() -> dict:
    s = TrainingSession(TrainingConfig(optimizer="adam"))
    s.advance(3)
    return json.loads(json.dumps(save_run(s)))


@pytest.mark.parametrize(
    "spoil, field, words",
    [
        (lambda r: r.update(format="something else"), "run", "not a Backprop Playground run"),
        (lambda r: r.update(version=99), "version", "not supported"),
        (lambda r: r["config"].update(learning_rate=50), "learning_rate", "between 1e-05 and 10"),
        (lambda r: r["config"].update(hidden_layers=[4, 5]), "params", "shape"),
        (lambda r: r["params"].pop("W2"), "params", "W1, b1, W2"),
        (lambda r: r["params"]["W1"].update(b64="AAAA"), "params", "packed"),
        (lambda r: r["counters"].update(step=-1), "step", ">= 0"),
        (lambda r: r["batches"].update(cursor=10**6), "batches", "at most 250"),
        (lambda r: r.update(pins="all of them"), "pins", "at most 4"),
        (lambda r: r["config"].update(dataset="custom"), "data", "'data'"),
    ],
)
def test_bad_run_files_are_refused_by_name(spoil, field, words):
    run = saved()
    spoil(run)
    with pytest.raises(ConfigError) as e:
        load_run(run)
    assert e.value.field == field and words in e.value.message
