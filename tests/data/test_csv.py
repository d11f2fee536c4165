"""Uploaded CSV files: the good path and every refused case."""

import numpy as np
import pytest

from app.data import DataError, parse_csv
from app.data.csv_upload import MAX_BYTES, MAX_FEATURES, MAX_ROWS


def _csv(header, rows):
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _two_class_rows(n=20):
    rng = np.random.default_rng(0)
    return [
        (round(float(rng.normal()), 4), round(float(rng.normal()), 4), "cat" if i % 2 else "dog")
        for i in range(n)
    ]


def test_two_feature_csv_gets_the_2d_treatment():
    ds = parse_csv(_csv(["a", "b", "animal"], _two_class_rows()), seed=1)
    assert ds.kind == "2d" and ds.n_classes == 2 and ds.class_names == ["cat", "dog"]
    assert ds.axis_names == ("a", "b") and ds.features == ("x1", "x2")
    assert ds.n_train == 10 and ds.n_test == 10
    assert ds.bounds is not None and ds.grid(5)[2].shape == (25, 2)
    assert ds.with_point(0.0, 0.0, 1).n_train == 11


def test_two_feature_csv_accepts_features():
    ds = parse_csv(_csv(["a", "b", "y"], _two_class_rows()), features=("x1", "x1x2", "sin_x2"))
    assert ds.n_features == 3


def test_wide_csv_is_a_standardized_table_and_label_column_by_name():
    rng = np.random.default_rng(0)
    rows = [(int(k), *np.round(rng.normal(size=3) + k, 3)) for k in np.repeat([3, 10, 7], 10)]
    ds = parse_csv(
        _csv(["label", "f1", "f2", "f3"], rows), label_column="label", train_fraction=0.6
    )
    assert ds.kind == "table" and ds.features == ("f1", "f2", "f3") and ds.n_features == 3
    assert ds.class_names == ["3", "7", "10"]  # integers sort numerically
    assert ds.n_train == 18 and np.bincount(ds.y_train).tolist() == [6, 6, 6]
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-12)
    assert ds.bounds is None and ds.raw_train is None
    np.testing.assert_allclose(ds.transform(np.zeros((1, 3)))[0], -ds.mean / ds.std)


def test_csv_tolerates_bom_crlf_whitespace_semicolons_and_blank_lines():
    text = "\ufeffx ; y ; c\r\n" + "".join(f" {i} ; {i % 3} ; {i % 2}\r\n" for i in range(12))
    ds = parse_csv((text + "\r\n\r\n").encode())
    assert ds.n_train + ds.n_test == 12 and ds.class_names == ["0", "1"]
    assert ds.axis_names == ("x", "y")


def test_csv_is_reproducible_from_seed():
    data = _csv(["a", "b", "y"], _two_class_rows(40))
    np.testing.assert_array_equal(parse_csv(data, seed=3).X_train, parse_csv(data, seed=3).X_train)


GOOD_HEADER = ["x1", "x2", "y"]
ONE_CLASS = [[i, i, 0] for i in range(10)]
THIRTY_CLASSES = [[i, i, i] for i in range(30)]


def _rows_with(bad_row_index, bad_cells):
    rows = [[i, i + 1, i % 2] for i in range(10)]
    rows[bad_row_index] = bad_cells
    return rows


@pytest.mark.parametrize(
    ("data", "kwargs", "field", "text"),
    [
        (b"x,y,c\n1,2,\xff\n", {}, "file", "must be UTF-8 text"),
        (b"x,y\x00,c\n", {}, "file", "UTF-8 text"),
        (b"", {}, "file", "empty"),
        (b"x,y,c\n1,2,0\n", {}, "file", "at least 4 data rows"),
        (_csv(GOOD_HEADER, _rows_with(5, [5, "abc", 1])), {}, "row 7, column 'x2'", "numbers"),
        (_csv(GOOD_HEADER, _rows_with(2, [2, "", 0])), {}, "row 4, column 'x2'", "is empty"),
        (_csv(GOOD_HEADER, _rows_with(0, ["nan", 1, 0])), {}, "row 2, column 'x1'", "finite"),
        (_csv(GOOD_HEADER, _rows_with(9, [9, "-inf", 1])), {}, "row 11, column 'x2'", "finite"),
        (_csv(GOOD_HEADER, _rows_with(3, [3, 4, ""])), {}, "row 5, column 'y'", "needs a label"),
        (_csv(GOOD_HEADER, _rows_with(3, [3, 4])), {}, "row 5", "has 2 cells; expected 3"),
        (_csv(GOOD_HEADER, ONE_CLASS), {}, "column 'y'", "between 2 and 20 classes; got 1"),
        (_csv(GOOD_HEADER, THIRTY_CLASSES), {"task": "classification"}, "column 'y'",
         "between 2 and 20 classes; got 30"),
        (_csv(GOOD_HEADER, ONE_CLASS), {"label_column": "z"}, "label_column", "named 'z'"),
        (_csv(["y"], [[i % 2] for i in range(10)]), {}, "file", "between 1 and 1024 feature"),
        (_csv(["a", "a", "y"], _rows_with(0, [0, 1, 0])), {}, "column 'a'", "unique"),
        (_csv(["a", "", "y"], _rows_with(0, [0, 1, 0])), {}, "column 2", "needs a name"),
        (_csv(GOOD_HEADER, ONE_CLASS), {"train_fraction": 1}, "train_fraction", "0.1 and 0.9"),
        ("x,y\n1,2\n", {}, "file", "must be bytes"),
    ],
)  # fmt: skip
def test_bad_csv_is_refused_naming_the_place_and_rule(data, kwargs, field, text):
    with pytest.raises(DataError) as err:
        parse_csv(data, **kwargs)
    assert err.value.field == field
    assert text in err.value.message


def test_too_many_bytes_rows_and_columns_are_refused():
    with pytest.raises(DataError, match="at most 5 MB") as err:
        parse_csv(b"a,b,y\n" + b"0" * MAX_BYTES)
    assert err.value.field == "file"
    rows = [[i, i, i % 2] for i in range(MAX_ROWS + 1)]
    with pytest.raises(DataError, match=f"at most {MAX_ROWS} data rows"):
        parse_csv(_csv(GOOD_HEADER, rows))
    header = [f"f{j}" for j in range(MAX_FEATURES + 1)] + ["y"]
    wide = [[0] * (MAX_FEATURES + 1) + [k % 2] for k in range(4)]
    with pytest.raises(DataError, match="1024 feature columns besides the label; got 1025"):
        parse_csv(_csv(header, wide))


def test_csv_at_the_limits_is_accepted():
    header = [f"f{j}" for j in range(MAX_FEATURES)] + ["y"]
    rows = [[k] * MAX_FEATURES + [k % 20] for k in range(40)]
    ds = parse_csv(_csv(header, rows))
    assert ds.kind == "table" and ds.n_features == MAX_FEATURES and ds.n_classes == 20
