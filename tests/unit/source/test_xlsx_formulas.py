"""Formula cells without a computed value: found in the sheet's XML, whatever its size or prefixes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from bulkload.errors import UnreadableFileError
from bulkload.source import open_source, xlsx_formulas
from bulkload.source.xlsx_formulas import UncachedFormula, uncached_formulas
from tests.unit.source.samples import read

SHEET = "xl/worksheets/sheet1.xml"


def workbook(tmp_path: Path, rows: list[list[object]], name: str = "in.xlsx") -> Path:
    """A workbook as openpyxl writes it: its formulas have no computed value."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def rewrite_sheet(path: Path, change: dict[bytes, bytes]) -> Path:
    """The workbook with its sheet's XML edited, as another writer (or Excel's last save) would leave it."""
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    for old, new in change.items():
        assert old in parts[SHEET]
        parts[SHEET] = parts[SHEET].replace(old, new)
    with zipfile.ZipFile(path, "w") as edited:
        for name, data in parts.items():
            edited.writestr(name, data)
    return path


def every_cell(_column: str, _row: int) -> bool:
    return True


def test_a_formula_written_by_a_library_has_no_value_and_the_file_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Name", "Count", "Total"], ["a", 2, "=B2*2"], ["b", 3, "=B3*2"]]
    path = workbook(tmp_path, rows)
    assert list(uncached_formulas(path, SHEET, every_cell)) == [
        UncachedFormula("C", 2, "B2*2"),
        UncachedFormula("C", 3, "B3*2"),
    ]
    with pytest.raises(UnreadableFileError) as caught:
        open_source(path)
    assert str(caught.value) == (
        f"{path}: sheet 'Sheet', cell C2 (column 'Total'): the formula =B2*2 has no computed value, and "
        "1 other formula cell has none. The workbook was saved by a program that does not calculate "
        "formulas: open and save it in Excel (or LibreOffice), or export the values"
    )


def test_a_formula_with_its_computed_value_reads_as_that_value(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Name", "Total"], ["a", "=1+1"]])
    rewrite_sheet(path, {b"<f>1+1</f><v />": b"<f>1+1</f><v>2</v>"})
    assert [row.cells for row in read(path)] == [{"Name": "a", "Total": "2"}]


def test_only_the_header_and_the_cells_below_it_matter(tmp_path: Path) -> None:
    rows: list[list[object]] = [["=1+1"], [], ["Name", "Total"], ["a", "5", None, "=A4"]]
    path = workbook(tmp_path, rows)
    # Above the header, and right of its columns: nothing reads them, so nothing is refused.
    assert [row.cells for row in read(path)] == [{"Name": "a", "Total": "5"}]


def test_a_formula_in_the_header_is_named_as_such(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Name", '="To"&"tal"'], ["a", "1"]])
    with pytest.raises(UnreadableFileError, match=r"cell B1 \(the header\): the formula =\"To\"&\"tal\" has"):
        open_source(path)


def test_shared_and_prefixed_formulas_are_found(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Name", "Total"], ["a", "=1+1"], ["b", "=1+1"]])
    shared = rewrite_sheet(
        path,
        {
            b'<c r="B2"><f>1+1</f><v /></c>': b'<c r="B2"><f t="shared" ref="B2:B3" si="0">1+1</f><v>2</v></c>',
            b'<c r="B3"><f>1+1</f><v /></c>': b'<c r="B3"><f t="shared" si="0"/></c>',
        },
    )
    assert list(uncached_formulas(shared, SHEET, every_cell)) == [UncachedFormula("B", 3, "")]
    with pytest.raises(UnreadableFileError, match=r"cell B3 \(column 'Total'\): the formula has no computed"):
        open_source(shared)

    prefixed = workbook(tmp_path, [["Name", "Total"], ["a", "=1+1"]], name="prefixed.xlsx")
    rewrite_sheet(prefixed, {b'<c r="B2"><f>1+1</f><v /></c>': b'<x:c r="B2"><x:f>1+1</x:f></x:c>'})
    assert list(uncached_formulas(prefixed, SHEET, every_cell)) == [UncachedFormula("B", 2, "1+1")]


def test_rows_cut_across_reads_are_scanned_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[object]] = [["Name", "Total"]]
    rows += [[f"row {i}", f"=LEN(A{i + 2})" if i % 97 == 0 else i] for i in range(1000)]
    path = workbook(tmp_path, rows)
    monkeypatch.setattr(xlsx_formulas, "_READ_BYTES", 101)
    found = list(uncached_formulas(path, SHEET, every_cell))
    assert [(f.row, f.formula) for f in found] == [(i + 2, f"LEN(A{i + 2})") for i in range(0, 1000, 97)]
