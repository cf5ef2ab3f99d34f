"""Formula cells that a workbook holds without a computed value.

A workbook keeps each formula's last computed value beside it; Excel and LibreOffice write it on every
save, but libraries that write workbooks (openpyxl, xlsxwriter, pandas) write the formula alone. openpyxl
then reads such a cell as empty, and the row would go out as if the cell were blank. Nothing can compute
the value here, so the file is refused before its first row: a program that never calculated the
workbook left every such formula without a value, a mistake of the whole file, not of a few rows.

The check scans the sheet's XML once, as bytes: formulas are rare enough in a data sheet that a regular
expression finds them far faster than a parser walks every cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.sax.saxutils import unescape

__all__ = ["UncachedFormula", "uncached_formulas"]

_READ_BYTES = 4 << 20  # the sheet's XML is read this much at a time
_P = rb"(?:[\w.-]+:)?"  # a namespace prefix, which some writers put on every element
# A formula, and the value element that follows it in its cell, if any (the schema orders f before v).
_FORMULA = re.compile(
    rb"<" + _P + rb"f\b[^>]*?(?:/>|>(?P<f>.*?)</" + _P + rb"f>)"
    rb"\s*(?P<v><" + _P + rb"v\b[^>]*?(?:/>|>(?P<value>.*?)</" + _P + rb"v>))?",
    re.S,
)
_CELL_REF = re.compile(rb"<" + _P + rb'c\b[^>]*?\br="([A-Z]+)([0-9]+)"')
_CLOSE = re.compile(rb"</" + _P)
_LOOK_BACK = 512  # bytes before a formula in which its cell's opening tag lies


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell without a computed value: where it is and what it says."""

    column: str  # the column's letters, as Excel names it
    row: int  # the sheet row
    formula: str  # the formula as typed, without "=" ("" for a cell sharing another cell's formula)


def uncached_formulas(
    workbook: Path | IO[bytes], member: str, wanted: Callable[[str, int], bool]
) -> Iterator[UncachedFormula]:
    """The formula cells of the sheet stored as `member` in `workbook` (a path, or a seekable binary file)
    that have no value, among the cells `wanted(column letters, sheet row)` says matter, in sheet order."""
    with zipfile.ZipFile(workbook) as archive, archive.open(member) as xml:
        buffer = b""
        while True:
            data = xml.read(_READ_BYTES)
            buffer += data
            # Whole rows only, so that no cell is cut in two; the rest waits for more bytes.
            end = len(buffer) if not data else _last_row_end(buffer)
            if end:
                yield from _scan(buffer[:end], wanted)
                buffer = buffer[end:]
            if not data:
                return


def _last_row_end(buffer: bytes) -> int:
    """Where the last complete row of `buffer` ends (0: none yet)."""
    at = buffer.rfind(b"row>")
    while at >= 0:
        opening = buffer.rfind(b"</", 0, at)  # "</row>", or with a prefix, "</x:row>"
        if opening >= 0 and _CLOSE.fullmatch(buffer, opening, at):
            return at + len(b"row>")
        at = buffer.rfind(b"row>", 0, at)
    return 0


def _scan(xml: bytes, wanted: Callable[[str, int], bool]) -> Iterator[UncachedFormula]:
    for match in _FORMULA.finditer(xml):
        value = match.group("value")
        if match.group("v") is not None and value and value.strip():
            continue
        refs = list(_CELL_REF.finditer(xml, max(0, match.start() - _LOOK_BACK), match.start()))
        if not refs:
            continue  # not a cell's formula as this module knows them: leave it to the reader
        column, row = refs[-1].group(1).decode("ascii"), int(refs[-1].group(2))
        if wanted(column, row):
            text = (match.group("f") or b"").decode("utf-8", "replace")
            yield UncachedFormula(column, row, unescape(text, {"&quot;": '"', "&apos;": "'"}))
