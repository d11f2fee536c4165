"""Parsing one WebSocket frame: every kind of bad input is a ClientError naming what is wrong."""

from __future__ import annotations

import json

import pytest

from app.errors import CODES, ClientError
from app.web.messages import parse

LIMIT = 64 * 1024


def refused(frame: str | bytes) -> ClientError:
    with pytest.raises(ClientError) as e:
        parse(frame, LIMIT)
    assert e.value.code in CODES and e.value.message
    json.dumps(e.value.as_dict(), allow_nan=False)  # what the client gets is plain JSON
    return e.value


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("[" * 1000 + "]" * 1000, "depth"),
        ('{"type":"configure","config":' + "[" * 5000 + "]" * 5000 + "}", "depth"),
        ('{"type":"step","n":' + "9" * 4301 + "}", "digits"),
        (b'{"type":"play"}\xff\xfe', "encoding"),
        ("{not json", "syntax"),
        ("", "syntax"),
    ],
)
def test_every_parse_failure_is_invalid_json_with_its_reason(frame, reason):
    err = refused(frame)
    assert err.code == "invalid_json" and err.params["reason"] == reason


def test_binary_frames_holding_json_are_messages():
    assert parse(b'{"type":"step","n":3}', LIMIT).n == 3


def test_too_large_names_the_limit_and_the_size():
    err = refused("x" * (LIMIT + 1))
    assert err.code == "too_large" and err.params == {"max": LIMIT, "got": LIMIT + 1}
    assert "65,536 bytes" in err.message


@pytest.mark.parametrize(
    ("message", "field", "expected"),
    [
        ({"type": "step", "n": "5"}, "n", "int"),
        ({"type": "step", "n": 5.0}, "n", "int"),
        ({"type": "step", "n": True}, "n", "int"),
        ({"type": "add_point", "x": "1", "y": 0, "label": 0}, "x", "float"),
        ({"type": "trace", "example": "3"}, "example", "int"),
        ({"type": "predict", "point": ["1", 2]}, "point", "float"),
    ],
)
def test_numbers_must_be_json_numbers(message, field, expected):
    err = refused(json.dumps(message))
    assert (err.code, err.field, err.params["expected"]) == ("wrong_type", field, expected)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_naming_the_field(literal):
    err = refused('{"type":"predict","point":[0.5,' + literal + "]}")
    assert (err.code, err.field, err.params["index"]) == ("not_finite", "point", 1)
    assert "finite" in err.message and literal in err.message
    err = refused('{"type":"add_point","x":' + literal + ',"y":0,"label":1}')
    assert (err.code, err.field) == ("not_finite", "x")


def test_huge_but_finite_coordinates_are_out_of_range():
    err = refused(json.dumps({"type": "predict", "point": [1e308, 0]}))
    assert (err.code, err.field) == ("out_of_range", "point")
    assert err.params["min"] == -1e6 and err.params["max"] == 1e6


def test_out_of_range_params_let_a_page_phrase_the_error():
    err = refused(json.dumps({"type": "step", "n": 10**5}))
    assert err.params == {"min": 1, "max": 10_000, "got": 100_000}
    assert err.message == "n must be between 1 and 10000; got 100000"


def test_unknown_type_and_field_list_what_is_allowed():
    err = refused(json.dumps({"type": "fly"}))
    assert (err.code, err.field, err.params["got"]) == ("unknown_type", "type", "fly")
    assert "step" in err.params["allowed"]
    err = refused(json.dumps({"type": "step", "n": 1, "speed": 2}))
    assert (err.code, err.field) == ("unknown_field", "speed")
    assert err.params["allowed"] == ["n"]


def test_a_refused_value_is_quoted_back_short():
    err = refused(json.dumps({"type": "step", "n": "y" * 10_000}))
    assert len(err.message) < 200 and len(err.params["got"]) <= 40
    err = refused('{"type":"step","n":' + "9" * 4000 + "}")
    assert err.params["got"] == "a 4000-digit integer"


def test_ping_is_a_message():
    assert parse('{"type":"ping","id":7}', LIMIT).id == 7
