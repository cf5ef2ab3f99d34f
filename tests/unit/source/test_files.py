"""The input as a file, for every format: its format, the checks before opening it, its fingerprint."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from bulkload.errors import UnreadableFileError
from bulkload.source import SourceOptions, open_source
from tests.unit.source.samples import MAKERS, make_csv


def expect_unreadable(path: Path, message: str, **options: Any) -> None:
    with pytest.raises(UnreadableFileError) as info:
        open_source(path, SourceOptions(**options))
    assert str(info.value) == message


@pytest.mark.parametrize("name", list(MAKERS))
def test_fingerprint_is_blake2b_of_the_size_and_bytes(tmp_path: Path, name: str) -> None:
    path = MAKERS[name](tmp_path / name, 3)
    copy = tmp_path / ("copy-" + name)
    copy.write_bytes(path.read_bytes())
    data = path.read_bytes()
    with open_source(path) as one, open_source(copy) as two:
        assert one.info.fingerprint == two.info.fingerprint
        expected = hashlib.blake2b(f"{len(data)}\n".encode() + data, digest_size=16).hexdigest()
        assert one.info.fingerprint == expected


def test_a_large_files_fingerprint_covers_its_size_head_and_tail_only(tmp_path: Path) -> None:
    # Bounded cost whatever the size (the first request must not wait for hashing 10 GB). A change in the
    # middle keeps the job id; the changed rows still get new tokens, as their requests changed.
    mib = 1 << 20
    line = b"n,00000000000000000000000000000\n"
    body = line * (9 * mib // len(line) + 1)
    path = tmp_path / "big.csv"

    def fingerprint(data: bytes) -> str:
        path.write_bytes(b"Name,Account\n" + data)
        with open_source(path) as source:
            return source.info.fingerprint

    middle = len(body) // 2
    original = fingerprint(body)
    assert fingerprint(body[:middle] + b"m" + body[middle + 1 :]) == original
    assert fingerprint(body[:100] + b"m" + body[101:]) != original
    assert fingerprint(body[:-100] + b"m" + body[-99:]) != original
    assert fingerprint(body + line) != original


def test_fingerprint_changes_with_one_byte(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "in.csv", 10)
    with open_source(path) as source:
        before = source.info.fingerprint
    path.write_bytes(path.read_bytes().replace(b"n9,", b"n8,"))
    with open_source(path) as source:
        assert source.info.fingerprint != before


def test_missing_file(tmp_path: Path) -> None:
    expect_unreadable(tmp_path / "nope.csv", f"{tmp_path / 'nope.csv'}: no such file")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    expect_unreadable(folder, f"{folder}: is a directory, not a file")


@pytest.mark.parametrize("name", ["in.csv", "in.parquet", "in.xlsx"])
def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path: Path, name: str) -> None:
    # Opening a pipe for reading blocks until something writes to it: the check must come first.
    pipe = tmp_path / name
    os.mkfifo(pipe)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            open_source(pipe)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # release the blocked open, so the failure does not hang the run
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail("open_source blocked on a named pipe")
    (error,) = errors
    assert isinstance(error, UnreadableFileError)
    assert str(error) == (
        f"{pipe}: is not a regular file (a named pipe, socket or device?); "
        "save the rows to a file and give that file"
    )


def test_a_device_is_refused() -> None:
    # /dev/null reads as empty; /dev/zero would never end.
    with pytest.raises(UnreadableFileError) as info:
        open_source("/dev/zero", SourceOptions(format="csv"))
    assert str(info.value).startswith("/dev/zero: is not a regular file")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_csv(tmp_path / "in.csv", 1)

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    # Patched rather than chmod 000, which does not stop a test suite running as root.
    monkeypatch.setattr(Path, "open", refuse)
    expect_unreadable(path, f"{path}: permission denied")


@pytest.mark.parametrize("name", ["in.csv", "in.parquet", "in.xlsx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    expect_unreadable(path, f"{path}: the file is empty")


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "in.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    expect_unreadable(
        path,
        f"{path}: cannot tell the file's format from its extension '.xls'; bulkload reads "
        "CSV (.csv, .txt, .tsv), Parquet (.parquet, .pq) and Excel (.xlsx, .xlsm)",
    )


def test_no_extension(tmp_path: Path) -> None:
    path = tmp_path / "rows"
    path.write_text("Name\nA\n")
    expect_unreadable(
        path,
        f"{path}: cannot tell the file's format from its name (it has no extension); bulkload reads "
        "CSV (.csv, .txt, .tsv), Parquet (.parquet, .pq) and Excel (.xlsx, .xlsm)",
    )


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "IN.CSV", 2)
    with open_source(path) as source:
        assert source.info.format == "csv"
