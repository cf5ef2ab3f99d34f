"""Read the input (a CSV, Parquet or Excel file, or data in memory) as bounded chunks of `SourceRow`s.

Every cell reaches the rest of bulkload as the text the user typed: no float conversion, leading zeros
kept, and an empty cell (or one holding only whitespace) is absent from `SourceRow.cells`, never "".
Memory stays flat whatever the file's size: each format is read incrementally.

Every third-party error (csv, pyarrow, openpyxl, the OS) is translated here, into `UnreadableFileError`
(the file cannot be read) or `InputError` (its header is broken), each a single line naming the file.

    options     SourceOptions: how to read the input
    files       the format from the extension, the checks before opening, the fingerprint
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

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bulkload.errors import UnreadableFileError
from bulkload.source.base import InputInfo, Source
from bulkload.source.csv import open_csv
from bulkload.source.files import check_readable, format_of
from bulkload.source.options import SourceOptions

__all__ = ["InputInfo", "Source", "SourceOptions", "open_source"]

_Opener = Callable[[Path, SourceOptions, ExitStack], Source]

_DEFAULTS = SourceOptions()


def open_source(path: str | Path, options: SourceOptions = _DEFAULTS) -> Source:
    """Open the input, read its header and check what can be checked before the first row.

    Raises `UnreadableFileError` for a missing, empty or unreadable file (or one that is not a regular
    file: a named pipe would block the open for ever), an unknown format or sheet, and
    (CSV) undecodable bytes anywhere in the file; `InputError` for a duplicated or blank column name.

    `info.total_rows` is known up front but is an estimate for progress reporting: Parquet's is exact;
    Excel's comes from the sheet's recorded dimension; CSV's counts the lines after the header. Blank
    lines (and, in CSV, quoted values spanning lines) make the last two overcount.
    """
    path = Path(path)
    fmt = format_of(path, options.format)
    if check_readable(path) == 0:
        raise UnreadableFileError(f"{path}: the file is empty")
    opener = _opener(fmt)
    stack = ExitStack()
    try:
        return opener(path, options, stack)
    except BaseException:
        stack.close()
        raise


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
