"""The Parquet reader: record batches read page by page, each column turned to text by `arrow_text`.

Imported only for a Parquet file: importing it imports pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bulkload.errors import UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source.arrow_text import batch_texts
from bulkload.source.base import InputInfo, Source
from bulkload.source.files import BLOCK, fingerprint
from bulkload.source.header import check_header, column_number
from bulkload.source.options import SourceOptions
from bulkload.source.text import first_line


def open_parquet(path: Path, options: SourceOptions, stack: ExitStack) -> Source:
    """Read the file's schema as the header and return its rows; the reader goes on `stack`."""
    digest = fingerprint(path)
    try:
        # Read page by page (no pre-buffering of a whole row group), so memory does not grow with the
        # row group size either: pandas writes a million rows to one row group.
        parquet = pq.ParquetFile(str(path), pre_buffer=False, buffer_size=BLOCK)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(f"{path}: not a readable Parquet file: {first_line(exc)}") from exc
    stack.callback(parquet.close)
    schema = parquet.schema_arrow
    # pandas stores a non-default index as an extra column. An unnamed one (`__index_level_0__`) is row
    # numbering nobody typed, so it is not a column here; a named one (`df.set_index("Name")`) is the
    # user's own column moved into the index, and stays.
    index_columns = {
        c
        for c in (schema.pandas_metadata or {}).get("index_columns", [])
        if isinstance(c, str) and c.startswith("__index_level_")
    }
    columns = [name for name in schema.names if name not in index_columns]
    if not columns:
        raise UnreadableFileError(f"{path}: the Parquet file has no columns")
    header = check_header(columns, path, "the Parquet schema", column_number, drop_trailing=False)
    info = InputInfo(path, "parquet", header, parquet.metadata.num_rows, digest)
    rows = _parquet_rows(path, parquet, columns, header, options.chunk_rows)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close)


def _parquet_rows(
    path: Path, parquet: pq.ParquetFile, columns: list[str], header: tuple[str, ...], batch_rows: int
) -> Iterator[SourceRow]:
    row = 0
    index = 0  # records read so far; a record's line is its 0-based index + 2, as if a header sat on line 1
    try:
        # One thread: decoding threads buy nothing while the Python side sets the pace, and each keeps
        # its own allocator heap (tens of MB of RSS).
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns, use_threads=False):
            texts, problems = batch_texts(batch, header)
            for position, values in enumerate(zip(*texts, strict=True)):
                index += 1
                if problems and position in problems:
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells={}, problem=problems[position])
                    continue
                if None not in values:  # the common case, a full record, in C-level loops
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells=dict(zip(header, values, strict=True)))
                    continue
                cells = {name: value for name, value in zip(header, values, strict=True) if value is not None}
                if cells:
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells=cells)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(f"{path}: cannot read record {index + 1}: {first_line(exc)}") from exc
