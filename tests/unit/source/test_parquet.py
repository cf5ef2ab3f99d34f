"""Parquet input: the schema as the header, record numbers, pandas index columns, broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkload.errors import InputError, UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import open_source
from tests.unit.source.samples import read, write_table


def test_all_null_records_are_not_rows_but_keep_their_line(tmp_path: Path) -> None:
    table = pa.table({"Name": ["A", None, "C"], "Account": ["001", None, None]})
    path = write_table(tmp_path, table)
    with open_source(path) as source:
        assert source.info.format == "parquet"
        assert source.info.header == ("Name", "Account")
        assert source.info.total_rows == 3
    assert read(path) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "Account": "001"}),
        SourceRow(row=2, line=4, cells={"Name": "C"}),
    ]


def test_row_numbers_run_across_row_groups_and_batches(tmp_path: Path) -> None:
    table = pa.table({"n": list(range(50))})
    path = write_table(tmp_path, table, row_group_size=7)
    rows = read(path, chunk_rows=4)
    assert [(row.row, row.line, row.cells["n"]) for row in rows] == [
        (i + 1, i + 2, str(i)) for i in range(50)
    ]


def test_pandas_index_column_is_not_a_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Name": ["B", "C"]}, index=[10, 30])  # a non-range index is stored as a column
    path = tmp_path / "in.parquet"
    frame.to_parquet(path)
    assert "__index_level_0__" in pq.read_schema(path).names
    with open_source(path) as source:
        assert source.info.header == ("Name",)
    assert [row.cells for row in read(path)] == [{"Name": "B"}, {"Name": "C"}]


def test_a_named_pandas_index_is_the_users_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Name": ["B", "C"], "Description": ["x", "y"]}).set_index("Name")
    path = tmp_path / "in.parquet"
    frame.to_parquet(path)
    with open_source(path) as source:
        assert set(source.info.header) == {"Name", "Description"}
    assert [row.cells for row in read(path)] == [
        {"Name": "B", "Description": "x"},
        {"Name": "C", "Description": "y"},
    ]


def test_pandas_frame_with_missing_ints_reads_back_as_typed(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Account": ["00123", None], "Count": [3, None]})  # Count becomes float64
    path = tmp_path / "in.parquet"
    frame.to_parquet(path)
    assert [row.cells for row in read(path)] == [{"Account": "00123", "Count": "3"}]


def test_column_names_are_stripped_and_checked(tmp_path: Path) -> None:
    path = write_table(
        tmp_path, pa.table([pa.array([1]), pa.array([2]), pa.array([3])], names=[" a ", "b", "a"])
    )
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == f"{path}: the Parquet schema names 'a' twice, in columns 1 and 3"


def test_blank_column_name(tmp_path: Path) -> None:
    path = write_table(tmp_path, pa.table([pa.array([1]), pa.array([2])], names=["a", " "]))
    with pytest.raises(InputError) as info:
        open_source(path)
    assert str(info.value) == (
        f"{path}: the Parquet schema has no name in column 2, after 'a'; name the column or delete it"
    )


def test_a_csv_renamed_to_parquet(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_text("Name,Description\nA,first\nB,second\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    message = str(info.value)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: not a readable Parquet file: [^\n]*magic bytes[^\n]*", message
    )


def test_a_truncated_parquet_file(tmp_path: Path) -> None:
    path = write_table(tmp_path, pa.table({"n": list(range(1000))}))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert str(info.value).startswith(f"{path}: not a readable Parquet file: ")
    assert "\n" not in str(info.value)
