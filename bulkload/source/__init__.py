"""Read the input (a CSV, Parquet or Excel file, or data in memory) as bounded chunks of `SourceRow`s.

Every cell reaches the rest of bulkload as the text the user typed: no float conversion, leading zeros
kept, and an empty cell (or one holding only whitespace) is absent from `SourceRow.cells`, never "".
Memory stays flat whatever the file's size: each format is read incrementally.

Every third-party error (csv, pyarrow, openpyxl, the OS) is translated here, into `UnreadableFileError`
(the file cannot be read) or `InputError` (its header is broken), each a single line naming the file.

    options     SourceOptions: how to read the input
    files       InputFile: the bytes the readers read (a local file here, an S3 object in
                `storage.input`); the format from the extension, the checks before opening, the fingerprint
    header      the rules every header follows
    base        InputInfo and Source: what every reader returns
    csv         the CSV reader, with csv_scan: the pass that checks the bytes decode and counts lines
    parquet     the Parquet reader, over arrow_rows: record batches as rows, and arrow_text: Arrow values
                as text
    xlsx        the Excel reader, with xlsx_formulas: formula cells saved without a computed value
    text        Python values as the text a user typed, shared by the readers of typed cells
    memory      data in memory (`memory.open_data`: a DataFrame, an Arrow table or reader, dicts) as Arrow
                batches read as a Parquet file's, with python_arrow: Python values as Arrow, and
                arrow_hash: the content's digest, for the job id
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bulkload.errors import UnreadableFileError
from bulkload.source.base import InputInfo, Source
from bulkload.source.csv import open_csv
from bulkload.source.files import InputFile, LocalFile, format_of
from bulkload.source.options import SourceOptions
from bulkload.storage.client import S3Settings, make_s3_client
from bulkload.storage.input import S3File
from bulkload.storage.url import S3Url, is_s3_url, parse_s3_url

__all__ = ["InputFile", "InputInfo", "Source", "SourceOptions", "open_source"]

_Opener = Callable[[InputFile, SourceOptions, ExitStack], Source]

_DEFAULTS = SourceOptions()


def open_source(
    path: str | os.PathLike[str] | S3Url | InputFile,
    options: SourceOptions = _DEFAULTS,
    *,
    s3: S3Settings | None = None,
) -> Source:
    """Open the input, read its header and check what can be checked before the first row.

    `path` is a local path, an `s3://bucket/key` URL (read with the S3 client `s3` describes, by default
    the standard AWS chain's), or any other `InputFile`.

    Raises `UnreadableFileError` for a missing, empty or unreadable file (or one that is not a regular
    file: a named pipe would block the open for ever), an unknown format or sheet, and
    (CSV) undecodable bytes anywhere in the file; `InputError` for a duplicated or blank column name.

    `info.total_rows` is known up front but is an estimate for progress reporting: Parquet's is exact;
    Excel's comes from the sheet's recorded dimension; CSV's counts the lines after the header. Blank
    lines (and, in CSV, quoted values spanning lines) make the last two overcount.
    """
    file = input_file(path, s3)
    fmt = format_of(file, options.format)
    if file.check() == 0:
        raise UnreadableFileError(f"{file.name}: the file is empty")
    opener = _opener(fmt)
    stack = ExitStack()
    try:
        return opener(file, options, stack)
    except BaseException:
        stack.close()
        raise


def input_file(path: str | os.PathLike[str] | S3Url | InputFile, s3: S3Settings | None = None) -> InputFile:
    """The input file `path` names (nothing is read yet): an S3 object for an `s3://` URL, else a local file."""
    if isinstance(path, str) and is_s3_url(path):
        path = parse_s3_url(path)
    if isinstance(path, S3Url):
        return S3File(path, make_s3_client(s3))
    if isinstance(path, str | os.PathLike):
        return LocalFile(Path(path))
    return path


def _opener(fmt: str) -> _Opener:
    # Parquet and Excel readers are imported when first used: a CSV job need not import pyarrow, numpy
    # and openpyxl, which take longer to import than the rest of bulkload.
    if fmt == "parquet":
        from bulkload.source.parquet import open_parquet  # noqa: PLC0415 - see above

        return open_parquet
    if fmt == "xlsx":
        from bulkload.source.xlsx import open_xlsx  # noqa: PLC0415 - see above

        return open_xlsx
    return open_csv
