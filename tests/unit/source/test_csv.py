"""CSV input: exact cell text, line numbers, ragged and blank lines, encodings, header problems."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkload.cells import CSV_FIELD_LIMIT
from bulkload.errors import InputError, UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import csv as csv_source
from bulkload.source import open_source
from tests.unit.source.samples import read, write


def test_cells_are_the_text_as_typed(tmp_path: Path) -> None:
    path = write(tmp_path, 'Name,Account,Amount,Note\nAlice,00123,1.50, kept  \nZoë 😀,007,1e3,"a,b"\n')
    assert read(path) == [
        SourceRow(
            row=1, line=2, cells={"Name": "Alice", "Account": "00123", "Amount": "1.50", "Note": " kept  "}
        ),
        SourceRow(row=2, line=3, cells={"Name": "Zoë 😀", "Account": "007", "Amount": "1e3", "Note": "a,b"}),
    ]


def test_empty_and_whitespace_only_cells_are_absent(tmp_path: Path) -> None:
    path = write(tmp_path, 'Name,Description,Account\nAlice,,  \nBob,"",\t\n')
    assert [row.cells for row in read(path)] == [{"Name": "Alice"}, {"Name": "Bob"}]


def test_info(tmp_path: Path) -> None:
    path = write(tmp_path, " Name , Description\nA,1\nB,2\nC,3\n")
    with open_source(path) as source:
        assert source.info.path == path
        assert source.info.format == "csv"
        assert source.info.header == ("Name", "Description")
        assert source.info.total_rows == 3
        assert re.fullmatch(r"[0-9a-f]{32}", source.info.fingerprint)


def test_embedded_newlines_advance_the_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, 'Name,Description\nA,"one\ntwo\nthree"\nB,x\n"C\r\nD",y\nE,z\n')
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Description": "one\ntwo\nthree"}),
        SourceRow(row=2, line=5, cells={"Name": "B", "Description": "x"}),
        SourceRow(row=3, line=6, cells={"Name": "C\r\nD", "Description": "y"}),
        SourceRow(row=4, line=8, cells={"Name": "E", "Description": "z"}),
    ]


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Account\r\nA,01\r\nB,02\r\n")
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Account": "01"}),
        SourceRow(row=2, line=3, cells={"Name": "B", "Account": "02"}),
    ]


def test_lone_cr_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\rA\r\rB\r")
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A"}),
        SourceRow(row=2, line=4, cells={"Name": "B"}),
    ]


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffName,Account\nA,01\n".encode())
    with open_source(path) as source:
        assert source.info.header == ("Name", "Account")
    assert read(path) == [SourceRow(row=1, line=2, cells={"Name": "A", "Account": "01"})]


def test_cp1252_with_its_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Description\nCafé,“quoted” – £5\n".encode("cp1252"))
    assert read(path, encoding="cp1252") == [
        SourceRow(row=1, line=2, cells={"Name": "Café", "Description": "“quoted” – £5"})
    ]


def test_utf16_with_its_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\tAccount\r\nZoë\t007\r\nB\t08\r\n".encode("utf-16"), "in.txt")
    assert read(path, encoding="utf-16", delimiter="\t") == [
        SourceRow(row=1, line=2, cells={"Name": "Zoë", "Account": "007"}),
        SourceRow(row=2, line=3, cells={"Name": "B", "Account": "08"}),
    ]


def test_semicolon_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, "Name;Amount\nA;1,50\n")
    assert read(path, delimiter=";") == [SourceRow(row=1, line=2, cells={"Name": "A", "Amount": "1,50"})]


def test_tsv_is_tab_delimited_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\tNote\nA\tx, y\n", "in.tsv")
    assert read(path) == [SourceRow(row=1, line=2, cells={"Name": "A", "Note": "x, y"})]


def test_txt_is_comma_delimited_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Note\nA,x\n", "in.txt")
    assert read(path) == [SourceRow(row=1, line=2, cells={"Name": "A", "Note": "x"})]


def test_format_option_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\nA\n", "export.dat")
    assert read(path, format="csv") == [SourceRow(row=1, line=2, cells={"Name": "A"})]


def test_blank_lines_are_not_rows_but_count_as_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Account\n\nA,1\n,\n   \n  ,\t\nB,2\n\n")
    assert read(path) == [
        SourceRow(row=1, line=3, cells={"Name": "A", "Account": "1"}),
        SourceRow(row=2, line=7, cells={"Name": "B", "Account": "2"}),
    ]


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "\n,,\nName\nA\n")
    with open_source(path) as source:
        assert source.info.header == ("Name",)
        assert source.info.total_rows == 1
    assert read(path) == [SourceRow(row=1, line=4, cells={"Name": "A"})]


def test_ragged_lines_keep_their_row_numbers_and_spare_their_neighbours(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B,C\n1,2,3\n1,2,3,4,5\n1,2\n7,8,9\n1,2,3,,\n,,,x\n")
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"A": "1", "B": "2", "C": "3"}),
        SourceRow(row=2, line=3, cells={}, problem="line 3 has 5 fields; the header has 3"),
        SourceRow(row=3, line=4, cells={}, problem="line 4 has 2 fields; the header has 3"),
        SourceRow(row=4, line=5, cells={"A": "7", "B": "8", "C": "9"}),
        SourceRow(row=5, line=6, cells={"A": "1", "B": "2", "C": "3"}),  # trailing empty extras tolerated
        SourceRow(row=6, line=7, cells={}, problem="line 7 has 4 fields; the header has 3"),
    ]


def test_a_ragged_record_spanning_lines_is_named_by_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'A,B\n"x\ny",2,3\nok,1\n')
    assert read(path) == [
        SourceRow(row=1, line=2, cells={}, problem="line 2 has 3 fields; the header has 2"),
        SourceRow(row=2, line=4, cells={"A": "ok", "B": "1"}),
    ]


def test_trailing_blank_header_cells_are_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Account,,\nA,1,,\nB,2,,x\n")
    with open_source(path) as source:
        assert source.info.header == ("Name", "Account")
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Account": "1"}),
        SourceRow(row=2, line=3, cells={}, problem="line 3 has 4 fields; the header has 2"),
    ]


def test_duplicated_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Account, Name\nA,1,2\n")
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: the header (line 1) names 'Name' twice, in columns 1 and 3"
    assert not isinstance(info.value, UnreadableFileError)


def test_blank_header_cell_between_named_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "\nName, ,Account\nA,1,2\n")
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: the header (line 2) has no name in column 2, between 'Name' and 'Account'; "
        "name the column or delete it"
    )


def test_blank_first_header_cell(tmp_path: Path) -> None:
    path = write(tmp_path, ",Name\n1,A\n")
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: the header (line 1) has no name in column 1, before 'Name'; name the column or delete it"
    )


def test_only_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "\n\r\n,,\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: the file has no header row (it holds only blank lines)"


def test_only_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: the file has no header row (it holds only blank lines)"


def test_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Description\n")
    with open_source(path) as source:
        assert source.info.total_rows == 0
        assert list(source.chunks()) == []


@pytest.fixture
def default_field_limit() -> Iterator[None]:
    """The csv module's own field limit, 128 KiB, as a fresh process has it; restored afterwards."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def test_a_cell_over_128_kib_is_read_whole(tmp_path: Path, default_field_limit: None) -> None:
    # Over the csv module's own limit, yet read whole: validation makes it one invalid row, not a stopped job.
    big = "é" * 200_000
    path = write(tmp_path, f'Name,Description\nA,before\nB,"{big}"\nC,after\n')
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Description": "before"}),
        SourceRow(row=2, line=3, cells={"Name": "B", "Description": big}),
        SourceRow(row=3, line=4, cells={"Name": "C", "Description": "after"}),
    ]


def test_a_field_over_the_csv_limit_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_field_limit: None
) -> None:
    # An unbalanced quote swallows the rest of the file into one field; csv stops it at its field limit
    # (64 MiB; lowered here so the test need not write that much).
    monkeypatch.setattr(csv_source, "CSV_FIELD_LIMIT", 100_000)
    path = write(tmp_path, 'Name\nA\n"B\n' + "x\n" * 100_000)
    with open_source(path) as source:
        chunks = source.chunks()
        with pytest.raises(UnreadableFileError) as info:
            list(chunks)
    assert str(info.value) == f"{path}: line 3: field larger than field limit (100000)"


def test_the_field_limit_is_64_mib() -> None:
    assert CSV_FIELD_LIMIT == 64 << 20
