"""How problems tell values: the kind of a value, a value shortened to fit a message, an epoch as a time.

Mapping's JSON checks and the request rules describe values the same way, so the words live here once.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["IS_REQUIRED", "describe_value", "format_epoch", "shorten", "value_kind"]

IS_REQUIRED = "is required"
_SHOWN_AT_MOST = 40  # characters of user text quoted in a message


def value_kind(value: object) -> str:
    """What a decoded JSON (or request) value is, as in "got a list": `an object`, `a string`, `null`..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return type(value).__name__


def shorten(text: str) -> str:
    """`text`, cut with `...` when it is too long to quote whole in a message."""
    return text if len(text) <= _SHOWN_AT_MOST else text[: _SHOWN_AT_MOST - 3] + "..."


def describe_value(value: object) -> str:
    """A value's kind and, for a scalar, the value itself: `a string 'soon'`, `a number 5`, `a list`."""
    if isinstance(value, str):
        return f"{value_kind(value)} {shorten(value)!r}"
    if isinstance(value, bool | int | float):
        return f"{value_kind(value)} {value}"
    return value_kind(value)


def format_epoch(seconds: float) -> str:
    """Epoch seconds as ISO 8601 UTC (`2026-12-09T10:00:00Z`), or the number if it is out of range."""
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (epoch seconds)"
