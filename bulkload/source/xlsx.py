"""The Excel reader: the chosen sheet read streaming, from its first non-blank row (the header) on.

Imported only for an Excel file: importing it imports openpyxl. openpyxl raises anything from KeyError to
an XML ParseError on a damaged workbook, so every failure while reading becomes one line naming the file.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from bulkload.errors import JobError, UnreadableFileError
from bulkload.plurals import counted
from bulkload.records import SourceRow
from bulkload.source.base import InputInfo, Source
from bulkload.source.files import InputFile
from bulkload.source.header import check_header
from bulkload.source.options import SourceOptions
from bulkload.source.text import first_line, is_blank, scalar_text
from bulkload.source.xlsx_formulas import uncached_formulas


def open_xlsx(file: InputFile, options: SourceOptions, stack: ExitStack) -> Source:
    """Open the workbook, pick the sheet, read its header and return its rows; the file goes on `stack`."""
    path = file.name
    digest = file.fingerprint()
    workbook = _load_workbook(file, stack)
    sheets = workbook.worksheets
    sheet = _pick_sheet(path, sheets, options.sheet)
    dimension_rows: int | None = sheet.max_row
    # Trust the cells, not the recorded dimension: some writers record a wrong one, and openpyxl would
    # then cut the rows (or the columns) short.
    sheet.reset_dimensions()
    values: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    names: list[str] | None = None
    line = 0  # the header's sheet row: the first row holding anything
    try:
        for number, record in enumerate(values, start=1):
            texts = [excel_text(value) for value in record]
            if any(text is not None for text in texts):
                names, line = [text or "" for text in texts], number
                break
    except JobError:  # a read of an S3 object failed: it says why
        raise
    except Exception as exc:  # openpyxl raises anything on a damaged sheet
        raise _workbook_error(path, exc) from exc
    if names is None:
        raise UnreadableFileError(f"{path}: sheet {sheet.title!r} is empty: it has no header row")
    _refuse_uncached_formulas(file, sheet, names, line)
    where = f"the header (sheet {sheet.title!r}, row {line})"
    header = check_header(names, path, where, _letter, drop_trailing=True)
    total = max(dimension_rows - line, 0) if dimension_rows is not None else None
    info = InputInfo.of_file(file, "xlsx", header, total, digest)
    rows = _xlsx_rows(path, values, header, line)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close)


def excel_text(value: object) -> str | None:
    """A cell as the text the user sees.

    Text as typed (a cell of only whitespace is empty); whole numbers without `.0` (Excel stores every
    number as a float); other floats as the shortest text that round-trips; bools `true`/`false`; dates,
    times and datetimes as naive ISO 8601 (`2026-11-24T09:00:00`).
    """
    if value is None:
        return None
    if type(value) is str:
        return None if is_blank(value) else value
    return scalar_text(value)


def _refuse_uncached_formulas(file: InputFile, sheet: Any, names: list[str], header_line: int) -> None:
    """An UnreadableFileError if a cell of the header or the rows below it is a formula without a value.

    The sheet's XML is read again through a stream of its own, so openpyxl's reading is left where it is.
    """
    path = file.name
    member = getattr(sheet, "_worksheet_path", None)  # where openpyxl's read-only sheet reads its XML
    if not isinstance(member, str):
        return
    width = len(names)

    def wanted(column: str, row: int) -> bool:
        return row >= header_line and column_index_from_string(column) <= width

    try:
        with file.open() as workbook:
            found = uncached_formulas(workbook, member, wanted)
            first = next(found, None)
            more = sum(1 for _ in found)
    except (OSError, KeyError, zipfile.BadZipFile):
        return  # openpyxl reads this sheet too, and reports whatever is wrong with the file
    if first is None:
        return
    index = column_index_from_string(first.column) - 1
    where = "the header" if first.row == header_line else f"column {names[index].strip()!r}"
    formula = f"the formula ={first.formula}" if first.formula else "the formula"
    others = (
        f", and {counted(more, 'other formula cell')} {'has' if more == 1 else 'have'} none" if more else ""
    )
    raise UnreadableFileError(
        f"{path}: sheet {sheet.title!r}, cell {first.column}{first.row} ({where}): {formula} has no computed "
        f"value{others}. The workbook was saved by a program that does not calculate formulas: open and "
        "save it in Excel (or LibreOffice), or export the values"
    )


def _letter(i: int) -> str:
    """A 0-based column index as Excel names the column: A, B, ..., AA."""
    return str(get_column_letter(i + 1))


def _workbook_error(path: str, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(f"{path}: cannot read the Excel workbook: {first_line(exc)}")


def _load_workbook(file: InputFile, stack: ExitStack) -> Any:
    # Hand openpyxl an open file, not the name, so `--format xlsx` works whatever the extension.
    path = file.name
    f = stack.enter_context(file.open())
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; they do not change the values we read.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(f, read_only=True, data_only=True, keep_links=False)
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(
            f"{path}: not an Excel .xlsx workbook (it is not a zip archive: an old .xls file, "
            "or a CSV file renamed?)"
        ) from exc
    except JobError:
        raise
    except Exception as exc:  # openpyxl raises anything on a damaged file
        raise _workbook_error(path, exc) from exc
    stack.callback(workbook.close)
    return workbook


def _pick_sheet(path: str, sheets: list[Any], wanted: str | None) -> Any:
    if not sheets:
        raise UnreadableFileError(f"{path}: the workbook has no worksheets")
    if wanted is None:
        return sheets[0]
    for sheet in sheets:
        if sheet.title == wanted:
            return sheet
    titles = ", ".join(repr(sheet.title) for sheet in sheets)
    digits = wanted.strip()
    if digits.isascii() and digits.isdigit():  # not "²": str.isdigit takes digits int() refuses
        number = int(digits)
        if 1 <= number <= len(sheets):
            return sheets[number - 1]
        count = counted(len(sheets), "sheet")
        raise UnreadableFileError(f"{path}: there is no sheet {number}; the workbook has {count}: {titles}")
    raise UnreadableFileError(f"{path}: there is no sheet named {wanted!r}; the sheets are {titles}")


def _xlsx_rows(
    path: str, values: Iterable[tuple[object, ...]], header: tuple[str, ...], header_line: int
) -> Iterator[SourceRow]:
    width = len(header)
    row = 0
    line = header_line
    try:
        for line, record in enumerate(values, start=header_line + 1):
            texts = [excel_text(value) for value in record]
            cells = {name: text for name, text in zip(header, texts, strict=False) if text is not None}
            stray = next((i for i in range(width, len(texts)) if texts[i] is not None), None)
            if not cells and stray is None:
                continue  # a blank row is not a row
            row += 1
            if stray is not None:
                problem = f"sheet row {line} has a value in column {_letter(stray)}, which has no header"
                yield SourceRow(row=row, line=line, cells={}, problem=problem)
            else:
                yield SourceRow(row=row, line=line, cells=cells)
    except JobError:  # a read of an S3 object failed: it says why
        raise
    except Exception as exc:  # openpyxl raises anything on a damaged sheet
        raise UnreadableFileError(f"{path}: sheet row {line + 1}: cannot read it: {first_line(exc)}") from exc
