"""CSV input: exact cell text, line numbers, ragged and blank lines, encodings, header problems."""

from __future__ import annotations

import csv
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulkload import source as source_module
from bulkload.cells import CSV_FIELD_LIMIT
from bulkload.errors import InputError, UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import SourceOptions, open_source


def write(tmp_path: Path, data: bytes | str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read(path: Path, **options: object) -> list[SourceRow]:
    with open_source(path, SourceOptions(**options)) as source:  # type: ignore[arg-type]
        return [row for chunk in source.chunks() for row in chunk]


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


def test_total_rows_counts_a_last_line_without_a_line_break(tmp_path: Path) -> None:
    with open_source(write(tmp_path, "Name\r\nA\r\nB")) as source:
        assert source.info.total_rows == 2


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


def test_undecodable_bytes_are_found_up_front(tmp_path: Path) -> None:
    lines = [b"Name,Description"] + [b"row %d,fine" % i for i in range(2, 57)]
    lines += [b"row 57,\x93quoted\x94", b"row 58,fine"]
    path = write(tmp_path, b"\n".join(lines) + b"\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: line 57: the bytes b'\\x93' are not valid utf-8; if the file came from Excel try --encoding cp1252"
    )


def test_undecodable_bytes_far_into_a_large_file(tmp_path: Path) -> None:
    # Past the first 1 MiB block, after CRLF lines and a lone CR, and inside a quoted multi-line value.
    body = b"".join(b"%d,fine\r\n" % i for i in range(2, 200_001))
    path = write(tmp_path, b"Name,Note\r\n" + body + b'x,"a\rb\xff"\r\n')
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value).startswith(f"{path}: line 200002: the bytes b'\\xff' are not valid utf-8;")


def test_truncated_character_at_the_end(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name\nA\nCaf" + "é".encode()[:1])
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value).startswith(f"{path}: line 3: the bytes b'\\xc3' are not valid utf-8;")


def test_undecodable_in_another_encoding_suggests_checking_it(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name\nA\x81\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(encoding="cp1252"))
    assert str(info.value) == (
        f"{path}: line 2: the bytes b'\\x81' are not valid cp1252; "
        "check --encoding (utf-8 and cp1252 are the usual ones; latin-1 accepts any bytes)"
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_read_as_utf8_suggests_utf16(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "\ufeffName,Description\nZoë,x\n".encode(codec))
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    message = str(info.value)
    assert message.endswith("; the file starts with a UTF-16 byte order mark: try --encoding utf-16")
    assert "cp1252" not in message
    assert read(path, encoding="utf-16") == [
        SourceRow(row=1, line=2, cells={"Name": "Zoë", "Description": "x"})
    ]


def test_a_utf32_file_read_as_utf8_suggests_utf32(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\nA\n".encode("utf-32"))
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value).endswith("; the file starts with a UTF-32 byte order mark: try --encoding utf-32")


@pytest.mark.parametrize("encoding", ["punycode", "undefined"])
def test_a_codec_that_fails_without_saying_where_is_one_clear_error(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "Name\nA\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(encoding=encoding))
    assert str(info.value).startswith(f"{path}: cannot decode the file as {encoding} (")
    assert str(info.value).endswith("); check --encoding")


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
    # It used to stop the job at its line for good; now validation makes it one invalid row.
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
    monkeypatch.setattr(source_module, "CSV_FIELD_LIMIT", 100_000)
    path = write(tmp_path, 'Name\nA\n"B\n' + "x\n" * 100_000)
    with open_source(path) as source:
        chunks = source.chunks()
        with pytest.raises(UnreadableFileError) as info:
            list(chunks)
    assert str(info.value) == f"{path}: line 3: field larger than field limit (100000)"


def test_the_field_limit_is_64_mib() -> None:
    assert CSV_FIELD_LIMIT == 64 << 20


# --- large files: the scan runs in the background --------------------------------------------------------


@pytest.fixture
def background_scan(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every CSV file is scanned in the background, and the scan starts only when the event is set."""
    monkeypatch.setattr(source_module, "_SCAN_INLINE", 0)
    monkeypatch.setattr(source_module, "_SCAN_GRACE", 0.0)
    go = threading.Event()
    count = source_module._CsvScan._count

    def held(scan: Any) -> int:
        go.wait(10)
        return count(scan)

    monkeypatch.setattr(source_module._CsvScan, "_count", held)
    return go


def test_a_background_scan_gives_the_same_rows_and_the_total_when_done(
    tmp_path: Path, background_scan: threading.Event
) -> None:
    path = write(tmp_path, "Name,Account\n" + "".join(f"n{i},{i:05d}\n" for i in range(150)))
    with open_source(path) as source:
        assert source.total_rows is None  # the scan is held, and the rows do not wait for it
        chunks = source.chunks()
        first = next(chunks)
        background_scan.set()
        chunks_read = [first, *chunks]
        assert source.total_rows == 150
    assert [row for chunk in chunks_read for row in chunk] == [
        SourceRow(row=i + 1, line=i + 2, cells={"Name": f"n{i}", "Account": f"{i:05d}"}) for i in range(150)
    ]
    assert [len(chunk) for chunk in chunks_read] == [64, 86]  # a short first chunk, then chunk_rows


def test_bad_bytes_found_in_the_background_stop_the_rows_before_them(
    tmp_path: Path, background_scan: threading.Event
) -> None:
    # Past the reader's first 1 MiB block, so the reader itself has not met the bad bytes yet.
    good = "".join(f"n{i},{i:07d}\n" for i in range(100_000))
    bad_line = 100_002
    path = write(tmp_path, b"Name,Account\n" + good.encode() + b"bad\xff,1\nafter,2\n")
    rows: list[SourceRow] = []

    def read_all() -> None:
        with open_source(path) as source:
            for number, chunk in enumerate(source.chunks()):
                rows.extend(chunk)
                if number == 0:
                    background_scan.set()  # found while the first rows are being sent

    with pytest.raises(UnreadableFileError) as info:
        read_all()
    assert str(info.value).startswith(f"{path}: line {bad_line}: the bytes b'\\xff' are not valid utf-8;")
    assert rows  # the first rows went out before the scan finished
    assert max(row.line for row in rows) < bad_line  # and nothing at or after the bad line ever did
