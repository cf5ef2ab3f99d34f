"""Data in memory as a `Source`: a pandas DataFrame, a pyarrow Table or RecordBatchReader, or dicts.

One conversion path: whatever the data, it becomes Arrow record batches, and `ArrowRows` turns them into
rows exactly as it does a Parquet file's. So a cell reads as it would had the data been written to
Parquet: integers without `.0` (a float column too, when the value is whole), the nullable `Int64`,
`boolean` and `string` dtypes as their values, None, NaN, NA and NaT absent, categoricals as their
values, timestamps as ISO 8601 (with their offset when they have a zone; naive ones without, which the
mapping reads in its `timezone`, as it does every file's naive times). A DataFrame's named index levels
are columns, after the others; an unnamed index is row numbering nobody typed, and is dropped. An object
column mixing types is converted one type at a time (see `python_arrow`).

Records are numbered as in a Parquet file: the record at position (`iloc`) i is on line i + 2, row 1 is
on line 2, and a record whose every cell is absent is not a row.

The job id of data in memory comes from its content, which is hashed (`arrow_hash`) before the first row
is read, unless its caller names the job. The hash reads the Arrow data that reading the rows needs
anyway, in C, and costs little beside turning the values into text. Data that can be read only once (an
iterator of dicts, a RecordBatchReader) cannot be hashed and then read: its caller must name the job.

A job that reads a DataFrame twice (a run's pre-pass, then the run) converts it once (`once_converted`):
both readings share one Arrow table.

Imported only for data in memory: importing it imports pandas and pyarrow.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa

from bulkload.errors import ConfigError, InputError
from bulkload.records import SourceRow
from bulkload.source.arrow_hash import ContentHash
from bulkload.source.arrow_rows import ArrowRows, user_columns
from bulkload.source.base import InputInfo, Source
from bulkload.source.header import check_header, column_number
from bulkload.source.options import SourceOptions
from bulkload.source.python_arrow import DICT_BATCH, dict_batches, dict_columns, values_array
from bulkload.source.text import first_line

__all__ = ["ConvertedFrame", "MemoryData", "frame_table", "once_converted", "open_data"]

MemoryData: TypeAlias = pd.DataFrame | pa.Table | pa.RecordBatchReader | Iterable[Mapping[str, Any]]

_DEFAULTS = SourceOptions()
_HASH_BATCH = 1 << 16  # rows per slice hashed: bounds the decoded copies of categoricals, say
_KINDS = "a pandas DataFrame, a pyarrow Table or RecordBatchReader, or an iterable of dicts (one per row)"


@dataclass(frozen=True)
class ConvertedFrame:
    """A DataFrame converted to Arrow, which `open_data` reads as it reads the DataFrame."""

    table: pa.Table
    description: str  # the DataFrame's, for messages


def once_converted(data: MemoryData | ConvertedFrame) -> MemoryData | ConvertedFrame:
    """`data`, a DataFrame converted to Arrow, to be read more than once without converting it again."""
    if not isinstance(data, pd.DataFrame):
        return data
    rows, columns = data.shape
    description = f"the DataFrame of {rows:,} rows x {columns:,} columns"
    return ConvertedFrame(frame_table(data, description), description)


def open_data(
    data: MemoryData | ConvertedFrame, options: SourceOptions = _DEFAULTS, *, fingerprint: bool = True
) -> Source:
    """Open data in memory as `open_source` opens a file: the header checked, the rows ready to read.

    `fingerprint`: hash the content for the job id (`info.fingerprint`); pass False when the caller
    names the job, to skip the hashing (`info.fingerprint` is then ""). Raises `ConfigError` when the
    data can be read only once and a fingerprint is asked for; `InputError` for data of another kind, a
    duplicated or blank column name, or values that cannot be converted (see `python_arrow`).
    Of the options only `chunk_rows` applies.
    """
    if isinstance(data, pd.DataFrame):
        data = once_converted(data)
    if isinstance(data, ConvertedFrame):
        return _open_table(data.table, "dataframe", data.description, options, fingerprint)
    if isinstance(data, pa.Table):
        description = f"the Arrow table of {data.num_rows:,} rows x {data.num_columns:,} columns"
        return _open_table(data, "arrow", description, options, fingerprint)
    if isinstance(data, pa.RecordBatchReader):
        return _open_reader(data, options, fingerprint)
    if isinstance(data, str | bytes | os.PathLike | Mapping) or not isinstance(data, Iterable):
        raise InputError(f"bulkload reads {_KINDS}, not data of type {type(data).__name__}")
    return _open_dicts(data, options, fingerprint)


def frame_table(frame: pd.DataFrame, description: str) -> pa.Table:
    """The frame as an Arrow table: its columns, then its named index levels (see the module doc)."""
    arrays: list[pa.Array[Any]] = []
    names: list[str] = []
    for i, column in enumerate(frame.columns):
        arrays.append(_series_array(frame.iloc[:, i], str(column), description))
        names.append(str(column))
    for level, name in enumerate(frame.index.names):
        if name is not None:
            arrays.append(_series_array(frame.index.get_level_values(level), str(name), description))
            names.append(str(name))
    return pa.Table.from_arrays(arrays, names=names)


def _series_array(values: pd.Series[Any] | pd.Index, column: str, origin: str) -> pa.Array[Any]:
    """A column as Arrow converts it; a column of Python objects, value type by value type.

    A dtype Arrow holds only as an extension type (a period, an interval) would read as its storage (a
    period's ordinal): its values go the way of Python objects, which names the column if they fail.
    """
    if values.dtype != object:
        try:
            array: pa.Array[Any] = pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            pass
        else:
            if not isinstance(array.type, pa.ExtensionType):
                return array
    return values_array(values.tolist(), column, origin)


def _open_table(
    table: pa.Table, kind: str, description: str, options: SourceOptions, fingerprint: bool
) -> Source:
    indices = _column_indices(table.schema, description)
    table = table.select(indices)
    header = check_header(table.schema.names, description, "its header", column_number, drop_trailing=False)
    digest = ""
    if fingerprint:
        content = ContentHash(header)
        for batch in table.to_batches(max_chunksize=_HASH_BATCH):
            content.update(batch)
        digest = content.hexdigest()
    info = InputInfo(None, kind, header, table.num_rows, digest, description)
    rows = ArrowRows(header).read(table.to_batches(max_chunksize=options.chunk_rows))
    return Source(info, rows, options.chunk_rows, _nothing)


def _open_reader(reader: pa.RecordBatchReader, options: SourceOptions, fingerprint: bool) -> Source:
    description = f"the RecordBatchReader of {len(reader.schema.names):,} columns"
    if fingerprint:
        raise _read_once(description, "or read it into a Table first (`reader.read_all()`)")
    indices = _column_indices(reader.schema, description)
    names = [reader.schema.names[i] for i in indices]
    header = check_header(names, description, "its header", column_number, drop_trailing=False)
    info = InputInfo(None, "arrow", header, None, "", description)
    rows = _reader_rows(reader, indices, header, description, options.chunk_rows)
    return Source(info, rows, options.chunk_rows, reader.close)


def _reader_rows(
    reader: pa.RecordBatchReader, indices: list[int], header: tuple[str, ...], description: str, size: int
) -> Iterator[SourceRow]:
    rows = ArrowRows(header)

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            # A reader's batches can be of any size: sliced (without copying) as a file's are read.
            selected = pa.RecordBatch.from_arrays([batch.column(i) for i in indices], names=list(header))
            for start in range(0, selected.num_rows, size):
                yield selected.slice(start, size)

    try:
        yield from rows.read(batches())
    except pa.ArrowException as exc:
        raise InputError(f"{description}: cannot read record {rows.records + 1}: {first_line(exc)}") from exc


def _open_dicts(records: Iterable[Any], options: SourceOptions, fingerprint: bool) -> Source:
    if iter(records) is records:  # an iterator: it can be read once
        description = "the iterator of records"
        if fingerprint:
            raise _read_once(description, "or pass the records as a list")
        first = list(islice(records, DICT_BATCH))
        columns = dict_columns(first, description)
        records = chain(first, records)
        total = None
    else:
        total = len(records) if isinstance(records, Sized) else None
        count = "" if total is None else f" {total:,}"
        description = f"the {type(records).__name__} of{count} records"
        columns = dict_columns(records, description)
    if not columns:
        raise InputError(f"{description} has no columns: no record has a key")
    header = check_header(columns, description, "its header", column_number, drop_trailing=False)
    digest = ""
    if fingerprint:
        content = ContentHash(header)
        for batch in dict_batches(records, columns, description):
            content.update(batch)
        digest = content.hexdigest()
    info = InputInfo(None, "dicts", header, total, digest, description)
    rows = ArrowRows(header).read(dict_batches(records, columns, description))
    return Source(info, rows, options.chunk_rows, _nothing)


def _column_indices(schema: pa.Schema, description: str) -> list[int]:
    """The positions of the schema's columns that are the user's (see `user_columns`)."""
    kept = set(user_columns(schema))
    indices = [i for i, name in enumerate(schema.names) if name in kept]
    if not indices:
        raise InputError(f"{description} has no columns")
    return indices


def _read_once(description: str, remedy: str) -> ConfigError:
    return ConfigError(
        f"{description} can be read only once, so its content cannot name the job before its first row "
        f"is sent: pass a job_id (one per day for a nightly job, say), {remedy}"
    )


def _nothing() -> None:
    pass
