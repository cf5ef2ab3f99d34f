"""The CSV scan: undecodable bytes found and located up front or in the background, lines counted."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bulkload.errors import UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import SourceOptions, csv_scan, open_source
from tests.unit.source.samples import read, write


def test_total_rows_counts_a_last_line_without_a_line_break(tmp_path: Path) -> None:
    with open_source(write(tmp_path, "Name\r\nA\r\nB")) as source:
        assert source.info.total_rows == 2


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


@pytest.fixture
def background_scan(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every CSV file is scanned in the background, and the scan starts only when the event is set."""
    monkeypatch.setattr(csv_scan, "_SCAN_INLINE", 0)
    monkeypatch.setattr(csv_scan, "_SCAN_GRACE", 0.0)
    go = threading.Event()
    count = csv_scan.CsvScan._count

    def held(scan: Any) -> int:
        go.wait(10)
        return count(scan)

    monkeypatch.setattr(csv_scan.CsvScan, "_count", held)
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
