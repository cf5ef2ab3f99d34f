"""The CSV reader: every record as it is, ragged lines kept as rows with a problem, exact line numbers.

pandas.read_csv is deliberately not used: its C engine pads a short line with NaN silently and does not
report an over-long one per row, which breaks the contract that a ragged line becomes a row with a
problem (keeping its row number, never shifting its neighbours). The stdlib csv reader (C-accelerated)
gives every record as it is, and its `line_num` gives exact physical line numbers, even across quoted
line breaks. Undecodable bytes are found by a `CsvScan` of the whole file, which also counts its lines.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from bulkload.cells import CSV_FIELD_LIMIT
from bulkload.errors import UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source.base import InputInfo, Source
from bulkload.source.csv_scan import CsvScan
from bulkload.source.files import InputFile
from bulkload.source.header import check_header, column_number
from bulkload.source.options import SourceOptions
from bulkload.source.text import is_blank


def open_csv(file: InputFile, options: SourceOptions, stack: ExitStack) -> Source:
    """Scan the file, read its header and return its rows; files opened go on `stack`."""
    path = file.name
    codec = _codec(options.encoding)
    scan = CsvScan(file, codec, options.encoding)
    stack.callback(scan.cancel)
    if scan.error is not None:
        raise scan.error
    digest = file.fingerprint()
    delimiter = options.delimiter or ("\t" if file.suffix.lower() == ".tsv" else ",")
    raw = stack.enter_context(file.open(sequential=True))
    text = stack.enter_context(io.TextIOWrapper(raw, encoding=codec, newline="", errors="strict"))
    reader = _csv_reader(text, delimiter)
    names: list[str] | None = None
    header_line = header_end = 0
    try:
        for record in reader:
            if not all(is_blank(field) for field in record):
                names, header_line = record, header_end + 1
                header_end = reader.line_num
                break
            header_end = reader.line_num
    except csv.Error as exc:
        raise UnreadableFileError(f"{path}: line {header_end + 1}: {exc}") from exc
    except UnicodeError as exc:
        raise scan.wait_error() from exc
    if names is None:
        raise UnreadableFileError(f"{path}: the file has no header row (it holds only blank lines)")
    header = check_header(names, path, f"the header (line {header_line})", column_number, drop_trailing=True)
    scan.header_end = header_end
    info = InputInfo.of_file(file, "csv", header, scan.total_rows, digest)
    rows = _csv_rows(path, reader, header, header_end, scan)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close, scan)


def _codec(encoding: str) -> str:
    # A BOM is how Excel's "CSV UTF-8" starts; utf-8-sig strips it and reads BOM-less UTF-8 just the same.
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _csv_reader(text: Iterable[str], delimiter: str) -> Any:
    # Process-global; set where the reader is made, so no other code's setting can stop a job at a big cell.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(text, delimiter=delimiter)


def _csv_rows(
    path: str, reader: Any, header: tuple[str, ...], header_end: int, scan: CsvScan
) -> Iterator[SourceRow]:
    width = len(header)
    row = 0
    end = header_end  # the last physical line of the previous record
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            fields = len(record)
            # The common case, kept to C-level loops: a full record without a blank cell (str.strip
            # returns a non-empty string for every cell that is not blank).
            if fields == width and all(map(str.strip, record)):
                row += 1
                yield SourceRow(row=row, line=line, cells=dict(zip(header, record, strict=True)))
                continue
            cells = {
                name: field
                for name, field in zip(header, record, strict=False)
                if field and not field.isspace()
            }
            if fields == width:
                if cells:
                    row += 1
                    yield SourceRow(row=row, line=line, cells=cells)
                continue
            extra = fields > width and not all(is_blank(field) for field in record[width:])
            if not cells and not extra:
                continue  # a blank line, or only delimiters: not a row
            row += 1
            if extra or fields < width:
                problem = f"line {line} has {fields} fields; the header has {width}"
                yield SourceRow(row=row, line=line, cells={}, problem=problem)
            else:
                yield SourceRow(row=row, line=line, cells=cells)  # every extra field is empty
    except csv.Error as exc:
        raise UnreadableFileError(f"{path}: line {end + 1}: {exc}") from exc
    except UnicodeError as exc:  # the reader got to the bad bytes first: the scan says where they are
        raise scan.wait_error() from exc
