"""The Parquet reader: record batches read page by page, each column turned to text by `arrow_text`.

Imported only for a Parquet file: importing it imports pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pyarrow as pa
import pyarrow.parquet as pq

from bulkload.errors import UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source.arrow_rows import ArrowRows, user_columns
from bulkload.source.base import InputInfo, Source
from bulkload.source.files import BLOCK, InputFile
from bulkload.source.header import check_header, column_number
from bulkload.source.options import SourceOptions
from bulkload.source.text import first_line


def open_parquet(file: InputFile, options: SourceOptions, stack: ExitStack) -> Source:
    """Read the file's schema as the header and return its rows; the reader goes on `stack`."""
    path = file.name
    digest = file.fingerprint()
    # pyarrow reads a local file itself, and anything else through the stream.
    source = str(file.path) if file.path is not None else stack.enter_context(file.open())
    try:
        # Read page by page (no pre-buffering of a whole row group), so memory does not grow with the
        # row group size either: pandas writes a million rows to one row group.
        parquet = pq.ParquetFile(source, pre_buffer=False, buffer_size=BLOCK)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(f"{path}: not a readable Parquet file: {first_line(exc)}") from exc
    stack.callback(parquet.close)
    columns = user_columns(parquet.schema_arrow)
    if not columns:
        raise UnreadableFileError(f"{path}: the Parquet file has no columns")
    header = check_header(columns, path, "the Parquet schema", column_number, drop_trailing=False)
    info = InputInfo.of_file(file, "parquet", header, parquet.metadata.num_rows, digest)
    rows = _parquet_rows(path, parquet, columns, header, options.chunk_rows)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close)


def _parquet_rows(
    path: str, parquet: pq.ParquetFile, columns: list[str], header: tuple[str, ...], batch_rows: int
) -> Iterator[SourceRow]:
    rows = ArrowRows(header)
    try:
        # One thread: decoding threads buy nothing while the Python side sets the pace, and each keeps
        # its own allocator heap (tens of MB of RSS).
        yield from rows.read(parquet.iter_batches(batch_size=batch_rows, columns=columns, use_threads=False))
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(
            f"{path}: cannot read record {rows.records + 1}: {first_line(exc)}"
        ) from exc
