"""Python values as the text a user typed: blank cells absent, `3` not `3.0`, dates as ISO 8601.

Shared by the readers whose cells arrive typed (Excel, Arrow); CSV cells are text already.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math

_EXACT_INT_FLOAT = 1e16  # below this an integral float prints exactly as the integer a user typed


def is_blank(text: str) -> bool:
    """An empty cell, or one holding only whitespace: both mean "absent"."""
    return not text or text.isspace()


def float_text(value: float) -> str | None:
    """A float as a user would have typed it: `3` not `3.0`, else the shortest text that round-trips.

    Spreadsheets have one number type, so a whole number typed as `3` often arrives as the float 3.0;
    printing it as `3` gives back what was typed. Beyond 1e16 floats are no longer exact integers and
    `repr` (`1e+20`) is the honest text. NaN is how pandas and Excel tooling spell "no value": absent.
    """
    if math.isnan(value):
        return None
    if value.is_integer() and abs(value) < _EXACT_INT_FLOAT:
        return str(int(value))
    return repr(value)


def bytes_text(value: bytes) -> str | None:
    """Bytes as UTF-8, undecodable bytes shown as `\\x..` escapes; None if blank."""
    text = value.decode("utf-8", errors="backslashreplace")
    return None if is_blank(text) else text


def scalar_text(value: object) -> str | None:
    """One value as text, None if blank: bools `true`/`false`, floats per `float_text`, dates ISO 8601."""
    if isinstance(value, str):
        return None if is_blank(value) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, dt.date | dt.time):  # datetime and pandas.Timestamp are dates too
        return value.isoformat()
    if isinstance(value, bytes):
        return bytes_text(value)
    return str(value)


def json_text(value: object) -> str:
    """A nested value as compact JSON; dates as ISO 8601, decimals as their digits, bytes as UTF-8."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)


def first_line(exc: BaseException) -> str:
    """An error's message as one line of text (its first line, or its type's name if it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
