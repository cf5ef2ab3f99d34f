"""Python values as Arrow arrays: a DataFrame's object columns, and rows given as dicts.

Arrow infers one type per column. A column that mixes Python types (`"A-1"` and `7`, `1` and `2.5`) is
converted one type at a time, each group by Arrow's own rules, and the column becomes those values' text:
every value reads as it would in a column of its type alone.

Imported only for data in memory: importing it imports pandas and pyarrow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import pandas as pd
import pyarrow as pa

from bulkload.errors import InputError
from bulkload.source.arrow_text import arrow_texts
from bulkload.source.text import first_line

# Errors pyarrow raises for values it cannot convert: ArrowTypeError and ArrowInvalid (both are
# ArrowException), and OverflowError for an int beyond 64 bits.
_CONVERSION_ERRORS = (pa.ArrowException, OverflowError, TypeError, ValueError)

_MISSING = frozenset({type(None), type(pd.NA), type(pd.NaT)})

DICT_BATCH = 2048  # dicts per record batch: fixed, as the batches' inferred types feed the job id


def values_array(values: Sequence[Any], column: str, origin: str) -> pa.Array[Any]:
    """The values as one Arrow array, missing values (None, NaN, NA, NaT) as nulls; see the module doc.

    Raises `InputError` naming the column when even the values of one Python type cannot be converted
    (an int beyond 64 bits, say).
    """
    if _one_kind(values):
        try:
            array: pa.Array[Any] = pa.array(values, from_pandas=True)
        except _CONVERSION_ERRORS:
            pass  # the values of that one type cannot be converted: the grouping below says which
        else:
            return array
    groups: dict[tuple[type, object], list[int]] = {}
    for position, value in enumerate(values):
        # Timestamps of different zones apart, so that each keeps its own offset.
        groups.setdefault((type(value), getattr(value, "tzinfo", None)), []).append(position)
    texts: list[str | None] = [None] * len(values)
    for (kind, _), positions in groups.items():
        try:
            group = pa.array([values[p] for p in positions], from_pandas=True)
            for position, text in zip(positions, arrow_texts(group), strict=True):
                texts[position] = text
        except _CONVERSION_ERRORS as exc:
            raise InputError(
                f"{origin}: column {column!r} holds {kind.__name__} values that cannot be read: "
                f"{first_line(exc)}"
            ) from exc
    return pa.array(texts, pa.large_string())


def _one_kind(values: Sequence[Any]) -> bool:
    """Whether the values, missing ones aside, are of one Python type, and timestamps of one zone.

    Only then is Arrow's inference used: given two types it unites more than it should (`1` and a
    timestamp make two timestamps, a date and a datetime two dates, `1` and a Decimal `1.0`).
    """
    kinds = set(map(type, values)) - _MISSING
    # NaN, pandas' missing value in a column of anything, is a float.
    if float in kinds and len(kinds) > 1 and all(v != v for v in values if type(v) is float):  # noqa: PLR0124
        kinds.discard(float)
    if len(kinds) != 1:
        return not kinds
    (kind,) = kinds
    return not issubclass(kind, dt.datetime) or len({v.tzinfo for v in values if type(v) is kind}) == 1


def dict_columns(records: Iterable[Any], origin: str) -> list[str]:
    """The records' keys in the order they first appear; an `InputError` for a record that is no dict."""
    seen: dict[str, None] = {}
    for index, record in enumerate(records):
        _check_record(record, index, origin)
        if len(seen) < len(record) or not seen.keys() >= record.keys():
            seen.update(dict.fromkeys(record))
    for name in seen:
        if not isinstance(name, str):
            raise InputError(
                f"{origin}: the key {name!r} is of type {type(name).__name__}; column names are text"
            )
    return list(seen)


def dict_batches(records: Iterable[Any], columns: Sequence[str], origin: str) -> Iterator[pa.RecordBatch]:
    """The records as record batches of `columns`, `DICT_BATCH` records each.

    A key missing from a record is an absent cell. A key outside `columns` is an `InputError` naming the
    record, unless its value is None: the columns are fixed before the first row is read.
    """
    known = frozenset(columns)
    it = iter(records)
    start = 0
    while chunk := list(islice(it, DICT_BATCH)):
        for index, record in enumerate(chunk, start):
            _check_record(record, index, origin)
            if not known.issuperset(record):
                _check_keys(record, known, index, origin)
        arrays = [values_array([record.get(name) for record in chunk], name, origin) for name in columns]
        yield pa.RecordBatch.from_arrays(arrays, names=list(columns))
        start += len(chunk)


def _check_record(record: object, index: int, origin: str) -> None:
    if not isinstance(record, Mapping):
        raise InputError(
            f"{origin}: the record at index {index} is of type {type(record).__name__}, not a dict of "
            "column -> value"
        )


def _check_keys(record: Mapping[Any, Any], known: frozenset[str], index: int, origin: str) -> None:
    extra = [key for key in record if key not in known and record[key] is not None]
    if extra:
        raise InputError(
            f"{origin}: the record at index {index} has the key {extra[0]!r}, which is not a column: the "
            f"columns are the keys of the first {DICT_BATCH:,} records. Give every record every key (None "
            "for no value), or pass the records as a list"
        )
