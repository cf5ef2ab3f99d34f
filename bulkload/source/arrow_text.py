"""Arrow values as the text a user typed, column by column, for any Arrow data (a file's or in memory).

Imported only when Arrow data is read: importing it imports pyarrow and numpy.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkload.cells import MILLISECOND, SECOND, UNIX_EPOCH
from bulkload.source.text import bytes_text, first_line, float_text, json_text, scalar_text

_MICROSECOND = dt.timedelta(microseconds=1)


def batch_texts(batch: pa.RecordBatch, names: Sequence[str]) -> tuple[list[list[str | None]], dict[int, str]]:
    """Each column of `batch` as text (`column_texts`), and the records that cannot be shown, with why.

    A value no text can show makes its own record invalid, naming its column (from `names`, one per
    column); the other records still load.
    """
    converted = [column_texts(column) for column in batch.columns]
    problems: dict[int, str] = {}
    for name, (_, failed) in zip(names, converted, strict=True):
        for position, reason in failed.items():
            problems.setdefault(position, f"column {name!r}: {reason}")
    return [texts for texts, _ in converted], problems


def column_texts(array: pa.Array[Any]) -> tuple[list[str | None], dict[int, str]]:
    """`arrow_texts`, and the values it cannot show (their text is None) by position, each with why.

    Converting a column is all or nothing, so a column that fails is converted again value by value: one
    value that no text can show (a nested timestamp past year 9999, say) must not stop the other rows.
    """
    try:
        texts = arrow_texts(array)
    except Exception:  # noqa: BLE001 - pyarrow, numpy and datetime raise many kinds; retried value by value
        return _value_texts(array)
    return texts, {}


def _value_texts(array: pa.Array[Any]) -> tuple[list[str | None], dict[int, str]]:
    texts: list[str | None] = []
    failed: dict[int, str] = {}
    for i in range(len(array)):
        try:
            texts.extend(arrow_texts(array.slice(i, 1)))
        except Exception as exc:  # noqa: BLE001 - any failure is this one value's, and names it
            texts.append(None)
            failed[i] = f"its {array.type} value cannot be read as text ({first_line(exc)})"
    return texts, failed


def arrow_texts(array: pa.Array[Any]) -> list[str | None]:
    """One column as text, None where absent.

    Strings as stored (blank ones absent); integers and decimals as their digits (decimals keep their
    scale: `1.50`); floats per `float_text`; bools `true`/`false`; timestamps, dates and times as ISO 8601
    (a timestamp with a time zone carries its offset); lists, structs and maps as compact JSON; binary as
    UTF-8 (undecodable bytes shown as `\\x..` escapes).
    """
    kind = array.type
    if isinstance(array, pa.DictionaryArray):  # pandas categoricals
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        # `not value` is true for None and "": both absent.
        return [None if not value or value.isspace() else value for value in array.to_pylist()]
    if (
        pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)  # Arrow prints dates as ISO 8601 already
    ):
        texts: list[str | None] = pc.cast(array, pa.string()).to_pylist()
        return texts
    if pa.types.is_float64(kind):
        return [None if value is None else float_text(value) for value in array.to_pylist()]
    if pa.types.is_floating(kind):  # float32/16: Arrow prints the shortest text for the narrower type
        return [
            None if value is None or value == "nan" else value
            for value in pc.cast(array, pa.string()).to_pylist()
        ]
    if pa.types.is_timestamp(kind):
        return _timestamp_texts(array)
    if pa.types.is_null(kind):
        return [None] * len(array)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return [None if value is None else bytes_text(value) for value in array.to_pylist()]
    if pa.types.is_nested(kind):
        return [None if value is None else json_text(value) for value in _nested_values(array)]
    return [None if value is None else scalar_text(value) for value in array.to_pylist()]


def _timestamp_texts(array: pa.Array[Any]) -> list[str | None]:
    """Timestamps as ISO 8601, with the offset of their time zone if they have one.

    `to_pylist` makes a pandas.Timestamp and looks its zone up for every value; numpy's datetime64 ->
    datetime conversion and one zone object for the column are much faster. Values it cannot take
    (nanoseconds, years beyond 9999, an unknown zone) go the slow, exact way; see `_timestamp_values` for
    a value no datetime can hold.
    """
    kind = array.type
    assert isinstance(kind, pa.TimestampType)
    try:
        values = array.to_numpy(zero_copy_only=False)
        if kind.unit == "ns":
            known = values[~np.isnat(values)].view("int64")
            if (known % 1000).any():
                raise ValueError("nanoseconds do not fit a datetime")
            values = values.astype("datetime64[us]")
        moments: list[dt.datetime | None] = values.tolist()
        zone = _zone(kind.tz)
        if zone is None:
            return [None if moment is None else moment.isoformat() for moment in moments]
        if zone is dt.UTC:
            return [None if moment is None else moment.isoformat() + "+00:00" for moment in moments]
        return [
            None if moment is None else moment.replace(tzinfo=dt.UTC).astimezone(zone).isoformat()
            for moment in moments
        ]
    except (ValueError, AttributeError, OverflowError, KeyError):  # AttributeError: tolist() gave an int
        return _timestamp_values(array)


def _timestamp_values(array: pa.Array[Any]) -> list[str | None]:
    """Timestamps by way of pyarrow's own datetimes (pandas.Timestamps for nanoseconds).

    A moment that a datetime holds only in UTC, not in its zone (0001-01-01T00:00Z in America/New_York
    falls in year 0 there), is given in UTC: `0001-01-01T00:00:00+00:00`, the same moment, which a time
    field then refuses as long past. One that no datetime holds even in UTC raises OverflowError, and
    `column_texts` makes its row invalid.
    """
    try:
        return [None if value is None else scalar_text(value) for value in array.to_pylist()]
    except (OverflowError, ValueError):
        pass
    kind = array.type
    assert isinstance(kind, pa.TimestampType)
    raw: list[int | None] = array.cast(pa.int64()).to_pylist()
    texts: list[str | None] = []
    for i, scalar in enumerate(array):
        try:
            value = scalar.as_py()
        except (OverflowError, ValueError) as exc:
            step = {"s": SECOND, "ms": MILLISECOND, "us": _MICROSECOND}.get(kind.unit)
            ticks = raw[i]
            try:
                if kind.tz is None or step is None or ticks is None:  # no zone to blame; ns always fit
                    raise exc
                texts.append((UNIX_EPOCH + ticks * step).isoformat())
            except (OverflowError, ValueError):
                raise OverflowError("a moment outside the years 1 to 9999") from exc
        else:
            texts.append(None if value is None else scalar_text(value))
    return texts


def _zone(name: str | None) -> dt.tzinfo | None:
    """The tzinfo for an Arrow time zone: a zone name or a fixed offset such as "+02:00"."""
    if name is None:
        return None
    if name in ("UTC", "Etc/UTC", "Z", "+00:00"):
        return dt.UTC
    if name[:1] in ("+", "-"):
        offset = dt.datetime.strptime(name.replace(":", ""), "%z").utcoffset()
        assert offset is not None
        return dt.timezone(offset)
    return zoneinfo.ZoneInfo(name)  # KeyError (ZoneInfoNotFoundError) for a zone it does not know


def _nested_values(array: pa.Array[Any]) -> list[Any]:
    try:
        return array.to_pylist(maps_as_pydicts="strict")
    except (KeyError, ValueError):  # a map with a repeated key: keep every pair rather than lose one
        return array.to_pylist()
