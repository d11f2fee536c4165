"""hidden_layers entries as objects: per-layer activation, norm, dropout, residual."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.training.live.config import CATALOGUE_FIELDS, ConfigError, TrainingConfig
from app.training.live.session import TrainingSession

BN_DROP = [
    {"units": 8, "norm": "batch", "dropout": 0.2},
    {"units": 8, "activation": "relu", "norm": "layer", "residual": True},
]


def test_objects_build_the_layers_and_plain_ones_stay_widths():
    cfg = TrainingConfig(hidden_layers=[*BN_DROP, {"units": 3}, 5])
    assert cfg.hidden_layers[2:] == [3, 5]
    s = TrainingSession(cfg)
    specs = s.net.specs
    assert [x.units for x in specs] == [8, 8, 3, 5]
    assert specs[0].activation == "tanh" and specs[1].activation == "relu"  # global default
    assert (specs[0].norm, specs[0].dropout, specs[1].residual) == ("batch", 0.2, True)
    assert "norm1.gamma" in s.net.params and "norm2.beta" in s.net.params


@pytest.mark.parametrize(
    "entry, code, words",
    [
        (
            {"units": 4, "dropout": 0.95},
            "out_of_range",
            r"hidden_layers\[1\]\.dropout .* 0 and 0.9",
        ),
        ({"units": 4, "norm": "group"}, "invalid_choice", r"hidden_layers\[1\]\.norm"),
        ({"units": 4, "activation": "gelu"}, "invalid_choice", r"hidden_layers\[1\]\.activation"),
        ({"units": 4, "colour": 1}, "unknown_field", r"unknown key 'colour'"),
        ({"units": 4, "residual": 1}, "wrong_type", r"residual must be true or false"),
        ({"units": 300}, "out_of_range", r"between 1 and 256"),
        ({"norm": "batch"}, "missing_field", r"units is required"),
        ({"units": 3, "residual": True}, "invalid_value", r"hidden_layers\[1\].*residual.*\(4\)"),
    ],
)
def test_bad_layers_name_the_field_the_index_and_the_rule(entry, code, words):
    s = TrainingSession()
    before = s.config
    with pytest.raises(ConfigError) as err:
        s.configure({"hidden_layers": [4, entry]})
    assert (err.value.code, err.value.field) == (code, "hidden_layers")
    assert err.value.params.get("index") == 1
    assert pytest.importorskip("re").search(words, err.value.message)
    assert s.config is before  # the session goes on


def test_a_residual_first_layer_needs_the_input_width():
    s = TrainingSession()  # xor: 2 inputs
    s.configure({"hidden_layers": [{"units": 2, "residual": True}]})
    with pytest.raises(ConfigError) as err:
        s.configure({"hidden_layers": [{"units": 3, "residual": True}]})
    assert err.value.field == "hidden_layers" and err.value.params["index"] == 0
    assert "hidden_layers[0]" in err.value.message


def test_the_catalogue_describes_the_layer_objects():
    layer = CATALOGUE_FIELDS["hidden_layers"]["layer"]
    assert layer["norm"] == ["none", "batch", "layer"]
    assert layer["dropout"]["max"] == 0.9 and "relu" in layer["activation"]
    assert layer["keys"] == ["units", "activation", "norm", "dropout", "residual"]


def test_frames_carry_each_layers_settings_and_dropout_is_off_in_evaluation():
    s = TrainingSession(TrainingConfig(hidden_layers=BN_DROP))
    s.advance(20)
    a, b = s.frame("paused")["layers"][:2]
    assert a["norm"]["kind"] == "batch" and len(a["norm"]["running_var"]) == 8
    assert a["dropout"] == 0.2 and b["residual"] and b["norm"]["running_mean"] is None
    assert len(a["norm"]["dgamma"]) == 8
    grid = s.grid_inputs(20)
    np.testing.assert_array_equal(s.net.predict_proba(grid), s.net.predict_proba(grid))
    first = s.predict(point=[0.5, -0.5])
    assert first == s.predict(point=[0.5, -0.5])  # no mask drawn for a probe


def test_a_pin_label_writes_layers_as_a_link_does():
    from app.training.live.pins import pin_label

    pinned = TrainingConfig(hidden_layers=[{"units": 8, "norm": "batch", "dropout": 0.2}, 8])
    now = TrainingConfig(hidden_layers=[8, 8])
    assert pin_label(pinned.model_dump(), now.model_dump()) == "layers 8:bn:d0.2,8 vs 8,8"


def test_layer_codes_read_back_what_a_link_writes():
    """The shell's --hidden-layers reads the page's link codes (layer_code), parts in any order."""
    from app.training.live.layers import layer_code, parse_layer_code

    layers = [
        *BN_DROP,
        {"units": 4, "activation": "sigmoid", "dropout": 0.5},
        {"units": 4, "norm": "layer", "residual": True},
        6,
    ]
    cfg = TrainingConfig(hidden_layers=layers)
    codes = [layer_code(e) for e in cfg.hidden_layers]
    assert codes == ["8:bn:d0.2", "8:relu:ln:res", "4:sigmoid:d0.5", "4:ln:res", "6"]
    read = [parse_layer_code(i, c) for i, c in enumerate(codes)]
    assert TrainingConfig(hidden_layers=read).hidden_layers == cfg.hidden_layers
    assert parse_layer_code(0, "8:res:relu:d0.2") == parse_layer_code(0, "8:d0.2:relu:res")


@pytest.mark.parametrize(
    "code, words",
    [
        ("8:foo", "hidden_layers[2]: 'foo' in '8:foo' is not a layer setting; each part after"),
        ("8:bn:ln", "hidden_layers[2]: '8:bn:ln' gives its norm twice"),
        ("relu:8", "hidden_layers[2]: 'relu:8' must start with its width"),
        ("8:dx", "'dx' in '8:dx' is not a layer setting"),
    ],
)
def test_a_bad_layer_code_names_the_index_and_what_a_part_may_be(code, words):
    from app.training.live.layers import parse_layer_code

    with pytest.raises(ConfigError, match=re.escape(words)) as e:
        parse_layer_code(2, code)
    assert e.value.field == "hidden_layers"
    assert e.value.message.startswith("hidden_layers[2]")
