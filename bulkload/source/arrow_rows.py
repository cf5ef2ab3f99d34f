"""Arrow record batches as `SourceRow`s: the one path from Arrow data, a Parquet file's or in memory, to rows.

Imported only when Arrow data is read: importing it imports pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa

from bulkload.records import SourceRow
from bulkload.source.arrow_text import batch_texts


def user_columns(schema: pa.Schema) -> list[str]:
    """The schema's column names, less the unnamed index pandas stores with a frame.

    pandas stores a non-default index as an extra column. An unnamed one (`__index_level_0__`) is row
    numbering nobody typed, so it is not a column here; a named one (`df.set_index("Name")`) is the
    user's own column moved into the index, and stays.
    """
    index_columns = {
        c
        for c in (schema.pandas_metadata or {}).get("index_columns", [])
        if isinstance(c, str) and c.startswith("__index_level_")
    }
    return [name for name in schema.names if name not in index_columns]


class ArrowRows:
    """The rows of a stream of record batches; `records` counts the records read so far, for messages."""

    def __init__(self, header: Sequence[str]) -> None:
        """Rows with these column names, one per column of every batch, in order."""
        self.header = tuple(header)
        self.records = 0

    def read(self, batches: Iterable[pa.RecordBatch]) -> Iterator[SourceRow]:
        """Every record as a row, each cell as text (see `batch_texts`).

        A record's line is its 1-based index + 1, as if a header sat on line 1: row 1 is line 2. A record
        whose every cell is absent is not a row, but keeps its line. A record holding a value no text can
        show is a row with that `problem`.
        """
        header = self.header
        row = 0
        for batch in batches:
            texts, problems = batch_texts(batch, header)
            for position, values in enumerate(zip(*texts, strict=True)):
                self.records += 1
                line = self.records + 1
                if problems and position in problems:
                    row += 1
                    yield SourceRow(row=row, line=line, cells={}, problem=problems[position])
                    continue
                if None not in values:  # the common case, a full record, in C-level loops
                    row += 1
                    yield SourceRow(row=row, line=line, cells=dict(zip(header, values, strict=True)))
                    continue
                cells = {name: value for name, value in zip(header, values, strict=True) if value is not None}
                if cells:
                    row += 1
                    yield SourceRow(row=row, line=line, cells=cells)
