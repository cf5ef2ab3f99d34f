"""Excel input: cell types as text, sheet row numbers, sheet selection, broken workbooks."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bulkload.errors import InputError, UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import SourceOptions, open_source
from tests.unit.source.samples import read


def write(tmp_path: Path, *sheets: tuple[str, list[list[Any]]], name: str = "in.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_cell_types_become_the_text_the_user_sees(tmp_path: Path) -> None:
    header = ["Text", "Int", "Whole", "Fraction", "Bool", "When", "Day", "Time"]
    values = [
        "00123",
        42,
        3.0,
        0.1,
        True,
        dt.datetime(2026, 11, 24, 9, 0),
        dt.date(2026, 11, 24),
        dt.time(9, 30),
    ]
    path = write(tmp_path, ("Tasks", [header, values, [" kept ", -7, 1e20, 2.5, False]]))
    assert read(path) == [
        SourceRow(
            row=1,
            line=2,
            cells={
                "Text": "00123",
                "Int": "42",
                "Whole": "3",
                "Fraction": "0.1",
                "Bool": "true",
                "When": "2026-11-24T09:00:00",
                "Day": "2026-11-24T00:00:00",  # Excel has no date type: a date is a datetime at midnight
                "Time": "09:30:00",
            },
        ),
        SourceRow(
            row=2,
            line=3,
            cells={"Text": " kept ", "Int": "-7", "Whole": "1e+20", "Fraction": "2.5", "Bool": "false"},
        ),
    ]


def test_info(tmp_path: Path) -> None:
    path = write(tmp_path, ("Tasks", [[" Name ", "Account"], ["A", "01"], ["B", "02"]]))
    with open_source(path) as source:
        assert source.info.format == "xlsx"
        assert source.info.header == ("Name", "Account")
        assert source.info.total_rows == 2


def test_empty_and_whitespace_only_cells_are_absent(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [["Name", "Note", "Account"], ["A", "", "  "], ["B", None, "\t"]]))
    assert [row.cells for row in read(path)] == [{"Name": "A"}, {"Name": "B"}]


def test_blank_rows_are_not_rows_and_lines_are_sheet_rows(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[], [None, None], ["Name", "Account"], ["A", 1], [], [" ", None], ["B", 2]]
    path = write(tmp_path, ("S", rows))
    with open_source(path) as source:
        assert source.info.header == ("Name", "Account")
        assert source.info.total_rows == 4  # from the sheet's dimension: blank rows included
    assert read(path) == [
        SourceRow(row=1, line=4, cells={"Name": "A", "Account": "1"}),
        SourceRow(row=2, line=7, cells={"Name": "B", "Account": "2"}),
    ]


def test_a_value_under_a_column_without_header(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Name", "Account", None], ["A", 1, None], ["B", 2, None, "stray"], ["C", 3]]
    path = write(tmp_path, ("S", rows))
    with open_source(path) as source:
        assert source.info.header == ("Name", "Account")  # the trailing blank header cell is dropped
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Account": "1"}),
        SourceRow(
            row=2, line=3, cells={}, problem="sheet row 3 has a value in column D, which has no header"
        ),
        SourceRow(row=3, line=4, cells={"Name": "C", "Account": "3"}),
    ]


def test_sheet_by_name_and_by_index(tmp_path: Path) -> None:
    path = write(
        tmp_path, ("First", [["Name"], ["one"]]), ("2", [["Name"], ["two"]]), ("Third", [["Name"], ["three"]])
    )
    assert read(path) == [SourceRow(row=1, line=2, cells={"Name": "one"})]
    assert read(path, sheet="Third") == [SourceRow(row=1, line=2, cells={"Name": "three"})]
    assert read(path, sheet="3") == [SourceRow(row=1, line=2, cells={"Name": "three"})]
    assert read(path, sheet="1") == [SourceRow(row=1, line=2, cells={"Name": "one"})]
    assert read(path, sheet="2") == [SourceRow(row=1, line=2, cells={"Name": "two"})]  # a name wins


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write(tmp_path, ("Orders", [["Name"]]), ("Notes", [["Name"]]))
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(sheet="Tasks"))
    assert str(info.value) == f"{path}: there is no sheet named 'Tasks'; the sheets are 'Orders', 'Notes'"
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(sheet="3"))
    assert str(info.value) == f"{path}: there is no sheet 3; the workbook has 2 sheets: 'Orders', 'Notes'"


# str.isdigit() says yes to all three; int() refuses the superscripts but reads the Arabic-Indic one as 1.
@pytest.mark.parametrize("wanted", ["\u00b2", "\u0661", "\u00b9"])
def test_a_sheet_number_is_ascii_digits_anything_else_is_a_name(tmp_path: Path, wanted: str) -> None:
    path = write(tmp_path, ("Orders", [["Name"], ["one"]]), ("Notes", [["Name"]]))
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(sheet=wanted))
    assert str(info.value) == f"{path}: there is no sheet named {wanted!r}; the sheets are 'Orders', 'Notes'"
    assert read(write(tmp_path, (wanted, [["Name"], ["sup"]]), name="b.xlsx"), sheet=wanted) == [
        SourceRow(row=1, line=2, cells={"Name": "sup"})
    ]


def test_empty_sheet(tmp_path: Path) -> None:
    path = write(tmp_path, ("Blank", []), ("Data", [["Name"]]))
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: sheet 'Blank' is empty: it has no header row"


def test_duplicated_column_names_by_letter(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [["Name", "Account", "Name "]]))
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: the header (sheet 'S', row 1) names 'Name' twice, in columns A and C"


def test_blank_header_cell_between_named_ones(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [[], ["Name", None, "Account"], ["A", 1, 2]]))
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: the header (sheet 'S', row 2) has no name in column B, between 'Name' and 'Account'; "
        "name the column or delete it"
    )


def test_numbers_as_header_names(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [["Name", 2026], ["A", "x"]]))
    assert read(path) == [SourceRow(row=1, line=2, cells={"Name": "A", "2026": "x"})]


def test_a_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_text("Name,Account\nA,1\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: not an Excel .xlsx workbook (it is not a zip archive: an old .xls file, or a CSV file renamed?)"
    )


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value).startswith(f"{path}: cannot read the Excel workbook: ")
    assert "\n" not in str(info.value)


def test_format_option_reads_a_workbook_with_another_extension(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [["Name"], ["A"]]), name="export.bin")
    assert read(path, format="xlsx") == [SourceRow(row=1, line=2, cells={"Name": "A"})]


def test_a_wrong_recorded_dimension_does_not_cut_rows_short(tmp_path: Path) -> None:
    path = write(tmp_path, ("S", [["Name", "Account"], ["A", 1], ["B", 2], ["C", 3]]))
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B4" />' in data
                data = data.replace(b'<dimension ref="A1:B4" />', b'<dimension ref="A1:A2" />')
            target.writestr(item, data)
    with open_source(patched) as source:
        assert source.info.total_rows == 1  # what the file claims; only an estimate
        rows = [row for chunk in source.chunks() for row in chunk]
    assert [row.cells for row in rows] == [
        {"Name": "A", "Account": "1"},
        {"Name": "B", "Account": "2"},
        {"Name": "C", "Account": "3"},
    ]


def test_a_formula_cell_without_a_cached_value_is_refused_not_read_as_empty(tmp_path: Path) -> None:
    # openpyxl writes formulas without a cached value (Excel stores one when it saves); with a cached value
    # the cell reads as that value (see test_xlsx_formulas).
    path = write(tmp_path, ("S", [["Name", "Total"], ["A", "=1+2"]]))
    with pytest.raises(
        UnreadableFileError, match=r"cell B2 \(column 'Total'\): the formula =1\+2 has no computed"
    ):
        read(path)
