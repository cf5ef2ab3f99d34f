"""Data in memory: each kind of data, the cell rules a DataFrame follows, and the same rows as via Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from bulkload.errors import ConfigError, InputError
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.records import SourceRow
from bulkload.source import SourceOptions
from bulkload.source.memory import MemoryData, open_data
from bulkload.validation import RequestValidator
from tests.unit.source.samples import every_dtype, read

INSTANCE = "11111111-2222-3333-4444-555555555555"
FLOW = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def rows(data: MemoryData, **options: Any) -> list[SourceRow]:
    """Every row of the data, read with these `SourceOptions`, without a fingerprint."""
    with open_data(data, SourceOptions(**options), fingerprint=False) as source:
        return [row for chunk in source.chunks() for row in chunk]


def cells(data: MemoryData) -> list[dict[str, str]]:
    return [dict(row.cells) for row in rows(data)]


def column(values: Any, dtype: Any = None) -> list[str | None]:
    """One column's cells, None where absent."""
    texts = rows(pd.DataFrame({"c": pd.Series(values, dtype=dtype), "n": range(len(values))}))
    by_line = {row.line: row.cells.get("c") for row in texts}
    return [by_line.get(i + 2) for i in range(len(values))]


def test_integers_are_written_without_a_fraction() -> None:
    assert column([1, -2, 10**15]) == ["1", "-2", "1000000000000000"]
    assert column([3.0, 2.5, float("nan")]) == ["3", "2.5", None]
    assert column(np.array([7, 8], dtype="uint8")) == ["7", "8"]


def test_nullable_dtypes_give_their_values_and_missing_ones_are_absent() -> None:
    assert column([1, None, 3], "Int64") == ["1", None, "3"]
    assert column([True, None, False], "boolean") == ["true", None, "false"]
    assert column(["007", None, " "], "string") == ["007", None, None]
    assert column([1.5, None], "Float64") == ["1.5", None]


def test_none_nan_na_and_nat_are_absent() -> None:
    assert column(["a", None, float("nan"), pd.NA, pd.NaT], object) == ["a", None, None, None, None]
    assert column(pd.to_datetime(pd.Series(["2026-01-02", None]))) == ["2026-01-02T00:00:00", None]


def test_a_record_whose_every_cell_is_absent_is_not_a_row_but_keeps_its_line() -> None:
    frame = pd.DataFrame({"Name": ["A", None, "C"], "n": pd.array([1, None, None], dtype="Int64")})
    assert rows(frame) == [
        SourceRow(row=1, line=2, cells={"Name": "A", "n": "1"}),
        SourceRow(row=2, line=4, cells={"Name": "C"}),
    ]


def test_timestamps_are_iso_8601_with_their_offset_and_naive_ones_without() -> None:
    moments = pd.to_datetime(["2026-03-29 01:30", "2026-03-29 03:30"])
    assert column(moments.tz_localize("Europe/Berlin")) == [
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
    ]
    assert column(moments) == ["2026-03-29T01:30:00", "2026-03-29T03:30:00"]
    assert column(pd.to_datetime(["2026-03-29 01:30:00.000000001"])) == ["2026-03-29T01:30:00.000000001"]


def test_categoricals_are_their_values() -> None:
    assert column(pd.Categorical(["b", None, "a"], categories=["b", "a", "unused"])) == ["b", None, "a"]
    assert column(pd.Categorical([20, 10])) == ["20", "10"]


def test_an_object_column_mixing_types_is_converted_type_by_type() -> None:
    values = ["A-1", 7, 2.0, True, dt.date(2026, 1, 2), None]
    assert column(values, object) == ["A-1", "7", "2", "true", "2026-01-02", None]


def test_an_object_column_that_cannot_be_converted_names_the_column() -> None:
    frame = pd.DataFrame({"Name": ["a", "b"], "big": pd.Series([2**70, "x"], dtype=object)})
    with pytest.raises(InputError) as info:
        open_data(frame)
    assert str(info.value).startswith("the DataFrame of 2 rows x 2 columns: column 'big' holds int values")


def test_a_named_index_is_a_column_after_the_others_and_an_unnamed_one_is_dropped() -> None:
    frame = pd.DataFrame({"Name": ["B", "C"], "Key": ["k1", "k2"]})
    with open_data(frame.set_index("Key")) as source:
        assert source.info.header == ("Name", "Key")
    assert cells(frame.set_index("Key")) == [{"Name": "B", "Key": "k1"}, {"Name": "C", "Key": "k2"}]
    assert cells(frame.set_index("Key").reset_index(drop=True)) == [{"Name": "B"}, {"Name": "C"}]
    assert cells(pd.DataFrame({"Name": ["B"]}, index=[30])) == [{"Name": "B"}]
    two_levels = frame.set_index(["Key", pd.Index([5, 6])])  # the second level has no name
    assert cells(two_levels) == [{"Name": "B", "Key": "k1"}, {"Name": "C", "Key": "k2"}]
    assert cells(pd.DataFrame({"Name": ["B"]}).rename_axis("n")) == [{"Name": "B", "n": "0"}]


def test_rows_and_lines_are_numbered_as_in_a_parquet_file() -> None:
    frame = pd.DataFrame({"n": range(50)})
    got = rows(frame, chunk_rows=4)
    assert [(row.row, row.line, row.cells["n"]) for row in got] == [(i + 1, i + 2, str(i)) for i in range(50)]
    with open_data(frame, SourceOptions(chunk_rows=4), fingerprint=False) as source:
        assert [len(chunk) for chunk in source.chunks()][:3] == [4, 4, 4]


def test_info_names_the_data_it_has_no_path() -> None:
    with open_data(pd.DataFrame({"Name": ["a", "b"], "x": [1, 2]})) as source:
        info = source.info
    assert info.path is None
    assert info.format == "dataframe"
    assert info.name == info.description == "the DataFrame of 2 rows x 2 columns"
    assert info.total_rows == 2
    assert len(info.fingerprint) == 32


def test_without_a_fingerprint_nothing_is_hashed() -> None:
    with open_data(pd.DataFrame({"Name": ["a"]}), fingerprint=False) as source:
        assert source.info.fingerprint == ""


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            ["a", " b", "b "],
            "the DataFrame of 1 rows x 3 columns: its header names 'b' twice, in columns 2 and 3",
        ),
        (
            ["a", " "],
            "the DataFrame of 1 rows x 2 columns: its header has no name in column 2, after 'a'; "
            "name the column or delete it",
        ),
    ],
)
def test_the_header_is_checked_as_a_files(names: list[str], message: str) -> None:
    frame = pd.DataFrame([list(range(len(names)))], columns=names)
    with pytest.raises(InputError) as info:
        open_data(frame)
    assert str(info.value) == message


def test_column_names_that_are_not_text_are_their_text() -> None:
    assert cells(pd.DataFrame(np.array([[1, 2]]))) == [{"0": "1", "1": "2"}]


def test_a_frame_without_columns() -> None:
    with pytest.raises(InputError, match=r"^the DataFrame of 0 rows x 0 columns has no columns$"):
        open_data(pd.DataFrame())


def test_an_arrow_table_reads_as_the_frame_it_came_from() -> None:
    frame = every_dtype()
    table = pa.Table.from_pandas(frame)
    with open_data(table) as source:
        assert source.info.format == "arrow"
        assert source.info.description == "the Arrow table of 6 rows x 13 columns"
    assert rows(table) == rows(frame)
    unnamed = pa.Table.from_pandas(pd.DataFrame({"Name": ["B", "C"]}, index=[10, 30]))
    assert "__index_level_0__" in unnamed.schema.names
    assert cells(unnamed) == [{"Name": "B"}, {"Name": "C"}]


def test_a_record_batch_reader_needs_a_job_id_and_is_read_in_chunks() -> None:
    table = pa.table({"n": range(10)})
    with pytest.raises(ConfigError) as info:
        open_data(table.to_reader())
    assert str(info.value) == (
        "the RecordBatchReader of 1 columns can be read only once, so its content cannot name the job "
        "before its first row is sent: pass a job_id (one per day for a nightly job, say), or read it into "
        "a Table first (`reader.read_all()`)"
    )
    with open_data(table.to_reader(), SourceOptions(chunk_rows=3), fingerprint=False) as source:
        assert source.info.total_rows is None
        chunks = list(source.chunks())
    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 1]
    assert [row.cells["n"] for chunk in chunks for row in chunk] == [str(i) for i in range(10)]


@pytest.mark.parametrize("data", ["tasks.csv", Path("tasks.csv"), b"x", {"Name": ["a"]}, 7])
def test_data_of_another_kind_is_refused(data: Any) -> None:
    with pytest.raises(InputError, match=r"^bulkload reads a pandas DataFrame, a pyarrow Table or Record"):
        open_data(data)


def test_every_dtype_reads_as_the_same_frame_written_to_parquet(tmp_path: Path) -> None:
    frame = every_dtype(40)
    path = tmp_path / "in.parquet"
    frame.to_parquet(path)
    with open_data(frame) as memory, open_data(frame) as again:
        assert memory.info.header == ("Name", *frame.columns[1:], "Key")
        assert memory.info.fingerprint == again.info.fingerprint
    assert rows(frame, chunk_rows=7) == read(path, chunk_rows=7)


def test_every_dtype_maps_and_validates_to_the_same_requests_as_via_parquet(tmp_path: Path) -> None:
    frame = every_dtype(40).rename(
        columns={
            "count": "Attributes.count",
            "maybe": "Attributes.maybe",
            "amount": "Attributes.amount",
            "flag": "Attributes.flag",
            "plain": "Attributes.plain",
            "note": "Description",
            "text": "Attributes.text",
            "tier": "Attributes.tier",
            "size": "Attributes.size",
            "due": "References.DATE.due",
            "when": "ScheduledTime",
        }
    )
    path = tmp_path / "in.parquet"
    frame.to_parquet(path)
    options = MappingOptions(instance_id=INSTANCE, flow_id=FLOW, key_column="Key", timezone="Europe/Berlin")
    validator = RequestValidator(clock=lambda: 1_795_507_200.0)  # 2026-11-24T08:00:00Z

    with open_data(frame) as source:
        mapping = ColumnMapping.from_header(source.info.header, options)

    def requests(source_rows: list[SourceRow]) -> list[tuple[Any, ...]]:
        mapped = [mapping.map_row(row) for row in source_rows]
        return [(m.row, m.line, m.key, m.params, m.problems, validator.validate(m.params)) for m in mapped]

    via_memory, via_parquet = requests(rows(frame)), requests(read(path))
    assert via_memory == via_parquet
    first = via_memory[0][3]
    assert first["ScheduledTime"] == 1_795_590_000  # 2026-11-25T08:00 in Berlin is 07:00Z
    assert first["Attributes"]["count"] == "0"
    assert first["References"]["due"] == {"Value": "1795509000000", "Type": "DATE"}
    assert all(not problems and not invalid for *_, problems, invalid in via_memory)


def test_a_dtype_arrow_holds_only_as_an_extension_names_the_column() -> None:
    frame = pd.DataFrame({"Name": ["a"], "month": pd.period_range("2026-01", periods=1, freq="M")})
    with pytest.raises(
        InputError, match=r"^the DataFrame of 1 rows x 2 columns: column 'month' holds Period"
    ):
        open_data(frame)
