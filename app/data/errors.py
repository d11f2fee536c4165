"""The one exception the data layer raises, and the range checks that raise it."""

from __future__ import annotations

import math
import numbers
from typing import Any

from app.errors import ClientError


class DataError(ClientError):
    """Bad dataset parameters or a bad upload: a ClientError with code "bad_data".

    `field` names what was wrong ("n_samples", "noise", "file", "row 7, column 'x2'");
    `message` says the rule and the allowed range. str(err) is the message.
    """

    def __init__(
        self, field: str, message: str, code: str = "bad_data", params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(field, message, code, params)

    def __repr__(self) -> str:
        return f"DataError(field={self.field!r}, message={self.message!r})"


def check_int(field: str, value: object, lo: int, hi: int) -> int:
    """Return `value` as an int in [lo, hi] or raise DataError naming the range."""
    rule = f"{field} must be an integer between {lo} and {hi}"
    # bool is an Integral but never a meaningful count.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DataError(field, f"{rule}; got {value!r}")
    # Accept 3 and 3.0 (JSON may send either), refuse 3.5.
    integral = isinstance(value, numbers.Integral)
    if not integral and not (math.isfinite(value) and float(value).is_integer()):
        raise DataError(field, f"{rule}; got {value!r}")
    ivalue = int(value)
    if not lo <= ivalue <= hi:
        raise DataError(field, f"{field} must be between {lo} and {hi}; got {ivalue}")
    return ivalue


def check_float(field: str, value: object, lo: float, hi: float) -> float:
    """Return `value` as a float in [lo, hi] or raise DataError naming the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DataError(field, f"{field} must be a number between {lo:g} and {hi:g}; got {value!r}")
    fvalue = float(value) + 0.0  # -0.0 becomes 0.0: NumPy refuses a scale of -0.0
    if not (math.isfinite(fvalue) and lo <= fvalue <= hi):
        raise DataError(field, f"{field} must be between {lo:g} and {hi:g}; got {fvalue:g}")
    return fvalue
