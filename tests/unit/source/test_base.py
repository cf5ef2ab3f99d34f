"""Source, for every format: bounded chunks in input order, read once, files released."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import psutil
import pytest

from bulkload.errors import InputError
from bulkload.source import InputInfo, Source, SourceOptions, open_source
from tests.unit.source.samples import MAKERS, make_csv


@pytest.mark.parametrize("name", list(MAKERS))
def test_chunks_never_exceed_chunk_rows_and_keep_input_order(tmp_path: Path, name: str) -> None:
    path = MAKERS[name](tmp_path / name, 23)
    with open_source(path, SourceOptions(chunk_rows=5)) as source:
        chunks = list(source.chunks())
        assert source.info.total_rows == 23
    assert [len(chunk) for chunk in chunks] == [5, 5, 5, 5, 3]
    rows = [row for chunk in chunks for row in chunk]
    assert [row.row for row in rows] == list(range(1, 24))
    assert [row.line for row in rows] == list(range(2, 25))
    assert rows[22].cells == {"Name": "n22", "Account": "00022"}


def test_chunks_can_be_called_once(tmp_path: Path) -> None:
    with open_source(make_csv(tmp_path / "in.csv", 2)) as source:
        assert len(list(source.chunks())) == 1
        with pytest.raises(RuntimeError):
            source.chunks()


def test_close_releases_the_file_and_is_idempotent(tmp_path: Path) -> None:
    closed: list[str] = []
    source = Source(
        InputInfo(tmp_path, "csv", ("Name",), 0, "0" * 32), iter([]), 10, lambda: closed.append("x")
    )
    with source:
        pass
    source.close()
    assert closed == ["x"]


@pytest.mark.parametrize("name", list(MAKERS))
def test_open_files_are_closed(tmp_path: Path, name: str) -> None:
    path = MAKERS[name](tmp_path / name, 3)
    process = psutil.Process()
    with open_source(path) as source:
        next(iter(source.chunks()))
    assert str(path) not in {f.path for f in process.open_files()}


@pytest.mark.parametrize("name", ["in.csv", "in.xlsx"])
def test_files_are_closed_when_opening_fails(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "in.csv":
        path.write_text("Name,Name\nA,B\n")
    else:
        workbook = openpyxl.Workbook()
        workbook.active.append(["Name", "Name"])
        workbook.save(path)
    with pytest.raises(InputError):
        open_source(path)
    assert str(path) not in {f.path for f in psutil.Process().open_files()}
