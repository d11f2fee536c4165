"""Your own data: parse an uploaded CSV (bytes) into a Dataset.

Format: a header row, numeric feature columns and one label column (chosen by name, else the
last). Labels may be strings or integers; they map to 0..K-1 in sorted order (numerically if
all are integers) and the original values are kept as class names. Exactly two feature
columns give a "2d" dataset (features, decision boundary); more give a "table" dataset.
A real-valued label column (numbers that are not a few integer classes, or task="regression")
makes it regression: the column is the target, and one feature column gives a "1d" dataset
(the curve plot).
Rows are numbered as a spreadsheet shows them: the header is row 1.

Pure: a refused file raises DataError and leaves no state behind.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import numpy as np

from app.data.dataset import Dataset, make_1d, make_2d, make_table
from app.data.errors import DataError, check_float, check_int
from app.data.registry import SEED_RANGE, TRAIN_FRACTION_RANGE

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_FEATURES = 1024
MIN_ROWS = 4
CLASSES_RANGE = (2, 20)
TASKS = ("auto", "classification", "regression")
MAX_ABS = 1e150  # larger feature values overflow when squared (the spread)


def _decode(data: bytes) -> str:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DataError("file", f"the upload must be bytes; got {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise DataError(
            "file", f"the file must be at most 5 MB ({MAX_BYTES} bytes); got {len(data)}"
        )
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            "file", f"the file must be UTF-8 text; invalid byte at offset {exc.start}"
        ) from exc
    if "\x00" in text:
        raise DataError("file", "the file must be UTF-8 text; it contains NUL bytes")
    return text


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) for every non-blank data row."""
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines (and the trailing newline) are not rows
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS:
                raise DataError("file", f"the file must have at most {MAX_ROWS} data rows")
    except csv.Error as exc:
        raise DataError(f"row {reader.line_num}", f"the CSV cannot be read: {exc}") from exc
    if header is None:
        raise DataError("file", "the file is empty; it needs a header row and data rows")
    for j, name in enumerate(header):
        if not name:
            raise DataError(
                f"column {j + 1}", f"header cell {j + 1} is empty; every column needs a name"
            )
    dup = next((n for n in header if header.count(n) > 1), None)
    if dup is not None:
        raise DataError(f"column '{dup}'", f"column names must be unique; '{dup}' repeats")
    if len(rows) < MIN_ROWS:
        raise DataError(
            "file", f"the file must have at least {MIN_ROWS} data rows; got {len(rows)}"
        )
    for row_no, cells in rows:
        if len(cells) != len(header):
            raise DataError(
                f"row {row_no}", f"row {row_no} has {len(cells)} cells; expected {len(header)}"
            )
    return header, rows


def _numbers(rows, columns: list[int], header: list[str]) -> np.ndarray:
    """Feature cells -> (N, D) float64, naming the first bad cell on failure."""
    cells = [[r[1][j] for j in columns] for r in rows]
    try:
        X = np.array(cells, dtype=np.str_).astype(np.float64)  # fast path
    except ValueError:
        X = None
    if X is not None and np.isfinite(X).all():
        return X
    for row_no, r in rows:  # slow path only to name the culprit
        for j in columns:
            cell = r[j].strip()
            where = f"row {row_no}, column '{header[j]}'"
            at = {"row": row_no, "column": header[j], "got": cell[:40]}
            if not cell:
                raise DataError(
                    where, f"{where} is empty; every feature cell must be a number", params=at
                )
            try:
                v = float(cell)
            except ValueError:
                raise DataError(
                    where, f"{where} is {cell!r}; feature cells must be numbers", params=at
                ) from None
            if not np.isfinite(v):
                raise DataError(
                    where, f"{where} is {cell!r}; feature cells must be finite numbers", params=at
                )
    raise DataError("file", "the feature cells cannot be read as numbers")  # pragma: no cover


def _labels(rows, j: int, name: str) -> tuple[np.ndarray, list[str]]:
    """Label cells -> (N,) int64 in 0..K-1 and K class names."""
    raw = []
    for row_no, r in rows:
        cell = r[j].strip()
        if not cell:
            where = f"row {row_no}, column '{name}'"
            at = {"row": row_no, "column": name}
            raise DataError(where, f"{where} is empty; every row needs a label", params=at)
        raw.append(cell)
    try:  # integer labels ("3", "3.0") sort numerically
        as_num = [float(c) for c in raw]
        numeric = all(np.isfinite(v) and v.is_integer() for v in as_num)
    except ValueError:
        numeric = False
    keys = [str(int(v)) for v in as_num] if numeric else raw
    names = sorted(set(keys), key=int) if numeric else sorted(set(keys))
    lo, hi = CLASSES_RANGE
    if not lo <= len(names) <= hi:
        raise DataError(
            f"column '{name}'",
            f"the label column '{name}' must have between {lo} and {hi} classes; got {len(names)}",
        )
    index = {n: i for i, n in enumerate(names)}
    return np.array([index[k] for k in keys], dtype=np.int64), names


def _targets(rows, j: int, name: str) -> np.ndarray | None:
    """Label cells as (N,) float64 real targets, or None if any is not a finite number."""
    try:
        y = np.array([float(r[j]) for _, r in rows], dtype=np.float64)
    except ValueError:
        return None
    return y if np.all(np.isfinite(y)) else None


def _is_regression(task: str, y: np.ndarray | None, name: str) -> bool:
    """auto: numbers that are not integer classes within CLASSES_RANGE are a real target."""
    if task not in TASKS:
        raise DataError("task", f"task must be one of {', '.join(TASKS)}; got {task!r}")
    if task == "regression" and y is None:
        raise DataError(
            f"column '{name}'",
            f"the target column '{name}' must hold finite numbers for regression",
        )
    if task != "auto" or y is None:
        return task == "regression"
    integers = bool(np.all(y == np.round(y)))
    return not integers or len(np.unique(y)) > CLASSES_RANGE[1]


def parse_csv(
    data: bytes,
    label_column: str | None = None,
    train_fraction: float = 0.5,
    seed: int = 0,
    features=None,
    name: str = "upload",
    task: str = "auto",
) -> Dataset:
    """Parse an uploaded CSV into a split Dataset ("2d" for 2 feature columns, else "table";
    regression with 1 feature column: "1d").

    `features` applies to 2-D data only (None: x1, x2). task: "auto" (regression when the
    label column holds real numbers), "classification" or "regression". Raises DataError with
    the field ("file", "row 7, column 'x2'", "label_column", ...) and the rule broken.
    """
    frac = check_float("train_fraction", train_fraction, *TRAIN_FRACTION_RANGE)
    seed = check_int("seed", seed, *SEED_RANGE)
    header, rows = _read_rows(_decode(data))
    if label_column is None:
        label_j = len(header) - 1
    elif label_column in header:
        label_j = header.index(label_column)
    else:
        raise DataError(
            "label_column",
            f"no column named {label_column!r}; columns are: {', '.join(header)}",
        )
    columns = [j for j in range(len(header)) if j != label_j]
    if not 1 <= len(columns) <= MAX_FEATURES:
        raise DataError(
            "file",
            f"the file must have between 1 and {MAX_FEATURES} feature columns besides the label; "
            f"got {len(columns)}",
        )
    X = _numbers(rows, columns, header)
    col_names = [header[j] for j in columns]
    _check_scale(X, col_names)
    target = header[label_j]
    values = _targets(rows, label_j, target)
    if _is_regression(task, values, target):
        _check_scale(values.reshape(-1, 1), [target])
        if len(columns) == 1:
            ds = make_1d(name, X, values, frac, seed, target_name=target)
        elif len(columns) == 2:
            ds = make_2d(name, X, values, 0, [], frac, seed, features, col_names)
            ds = dataclasses.replace(ds, target_name=target)
        else:
            ds = make_table(name, X, values, 0, [], col_names, frac, seed, target_name=target)
        return _finite(ds)
    y, class_names = _labels(rows, label_j, target)
    if len(columns) == 2:
        ds = make_2d(name, X, y, len(class_names), class_names, frac, seed, features, col_names)
    else:
        ds = make_table(name, X, y, len(class_names), class_names, col_names, frac, seed)
    return _finite(ds)


def _finite(ds: Dataset) -> Dataset:
    """The last guard: a dataset whose standardized arrays are not all finite is refused."""
    arrays = (ds.X_train, ds.X_test, ds.y_train, ds.y_test, ds.mean, ds.std)
    if not all(np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in arrays if a is not None):
        raise DataError(
            "file", "the data cannot be standardized: some values overflow; scale them down"
        )
    return ds


def _check_scale(X: np.ndarray, names: list[str]) -> None:
    """Refuse a column that standardizing would overflow (its mean, spread or range is not
    a finite float64): training on it could only give NaN. X: (N, D)."""
    with np.errstate(all="ignore"):
        mean, std = X.mean(axis=0), X.std(axis=0)
        span = X.max(axis=0) - X.min(axis=0)
        z = (X - mean) / np.where(std > 1e-12, std, 1.0)
    ok = np.isfinite(mean) & np.isfinite(std) & np.isfinite(span) & np.isfinite(z).all(axis=0)
    if ok.all():
        return
    j = int(np.argmin(ok))
    biggest = float(np.abs(X[:, j]).max())
    where = f"column '{names[j]}'"
    raise DataError(
        where,
        f"{where} cannot be standardized: its values (up to {biggest:.3g} in size) overflow; "
        f"scale them to at most {MAX_ABS:.0e}",
        params={"column": names[j], "got": biggest, "max": MAX_ABS},
    )
