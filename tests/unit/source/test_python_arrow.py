"""Python values as Arrow: rows given as dicts, and columns that mix types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from bulkload.errors import ConfigError, InputError
from bulkload.records import SourceRow
from bulkload.source import SourceOptions
from bulkload.source.arrow_text import arrow_texts
from bulkload.source.memory import open_data
from bulkload.source.python_arrow import DICT_BATCH, values_array


def rows(data: Any, **options: Any) -> list[SourceRow]:
    with open_data(data, SourceOptions(**options), fingerprint=False) as source:
        return [row for chunk in source.chunks() for row in chunk]


def generate(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield from records


def test_a_list_of_dicts_follows_the_same_text_rules_as_a_frame() -> None:
    records: list[dict[str, Any]] = [
        {"Name": "a", "n": 1, "x": 2.0, "when": pd.Timestamp("2026-01-02 03:04", tz="UTC"), "ok": True},
        {"Name": "b", "n": None, "x": float("nan"), "when": pd.NaT, "ok": pd.NA},
    ]
    with open_data(records) as source:
        assert source.info.header == ("Name", "n", "x", "when", "ok")
        assert source.info.format == "dicts"
        assert source.info.description == "the list of 2 records"
        assert source.info.total_rows == 2
        assert len(source.info.fingerprint) == 32
    assert rows(records) == [
        SourceRow(1, 2, {"Name": "a", "n": "1", "x": "2", "when": "2026-01-02T03:04:00+00:00", "ok": "true"}),
        SourceRow(2, 3, {"Name": "b"}),
    ]
    assert rows(records) == rows(pd.DataFrame(records))


def test_the_columns_of_a_list_are_every_key_in_the_order_first_seen() -> None:
    records: list[dict[str, Any]] = [{"a": i} for i in range(DICT_BATCH + 5)]
    records.append({"b": "late", "a": 0})
    with open_data(records, fingerprint=False) as source:
        assert source.info.header == ("a", "b")
    assert rows(records)[-1].cells == {"a": "0", "b": "late"}


def test_an_iterator_needs_a_job_id() -> None:
    with pytest.raises(ConfigError) as info:
        open_data(generate([{"a": 1}]))
    assert str(info.value) == (
        "the iterator of records can be read only once, so its content cannot name the job before its "
        "first row is sent: pass a job_id (one per day for a nightly job, say), or pass the records as a list"
    )


def test_an_iterator_is_read_in_chunks_and_its_columns_are_the_first_chunks_keys() -> None:
    records = [{"Name": f"n{i}", "extra": None} if i > DICT_BATCH else {"Name": f"n{i}"} for i in range(5000)]
    with open_data(generate(records), SourceOptions(chunk_rows=1000), fingerprint=False) as source:
        assert source.info.header == ("Name",)
        assert source.info.total_rows is None
        got = [row for chunk in source.chunks() for row in chunk]
    assert [row.cells["Name"] for row in got] == [f"n{i}" for i in range(5000)]
    assert got[-1].line == 5001


def test_a_key_that_appears_after_the_first_chunk_of_an_iterator_is_an_error_naming_its_record() -> None:
    records = [{"Name": f"n{i}"} for i in range(DICT_BATCH + 10)]
    records[DICT_BATCH + 3]["Description"] = "late"
    with pytest.raises(InputError) as info:
        rows(generate(records))
    assert str(info.value) == (
        f"the iterator of records: the record at index {DICT_BATCH + 3} has the key 'Description', which is "
        f"not a column: the columns are the keys of the first {DICT_BATCH:,} records. Give every record every "
        "key (None for no value), or pass the records as a list"
    )


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (
            [{"a": 1}, "b"],
            "the list of 2 records: the record at index 1 is of type str, not a dict of column -> value",
        ),
        ([{1: "x"}], "the list of 1 records: the key 1 is of type int; column names are text"),
        ([], "the list of 0 records has no columns: no record has a key"),
        ([{}, {}], "the list of 2 records has no columns: no record has a key"),
        ([{"a": 1, " a": 2}], "the list of 1 records: its header names 'a' twice, in columns 1 and 2"),
    ],
)
def test_records_that_are_not_rows(records: list[Any], message: str) -> None:
    with pytest.raises(InputError) as info:
        open_data(records)
    assert str(info.value) == message


def test_a_column_mixing_types_is_each_values_text() -> None:
    array = values_array(["A-1", 7, 2.5, False, None, float("nan")], "c", "here")
    assert arrow_texts(array) == ["A-1", "7", "2.5", "false", None, None]


def test_timestamps_of_different_zones_keep_their_own_offsets() -> None:
    values = [
        pd.Timestamp("2026-06-01 12:00", tz="Europe/Berlin"),
        pd.Timestamp("2026-06-01 12:00", tz="UTC"),
        1,
    ]
    assert arrow_texts(values_array(values, "c", "here")) == [
        "2026-06-01T12:00:00+02:00",
        "2026-06-01T12:00:00+00:00",
        "1",
    ]


def test_values_no_arrow_type_holds_name_the_column() -> None:
    with pytest.raises(InputError) as info:
        values_array([2**70, "x"], "big", "here")
    assert str(info.value).startswith("here: column 'big' holds int values that cannot be read: ")
