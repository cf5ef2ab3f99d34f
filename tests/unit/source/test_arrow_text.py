"""Arrow values as text, each type read back from a Parquet file: nulls absent, values as typed."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from bulkload.source.arrow_text import batch_texts
from tests.unit.source.samples import read, write_table


def column(tmp_path: Path, values: list[Any], kind: pa.DataType) -> list[str | None]:
    """The text of each value of a one-column file, None where the cell is absent."""
    path = write_table(tmp_path, pa.table({"c": pa.array(values, kind), "n": pa.array(range(len(values)))}))
    return [row.cells.get("c") for row in read(path)]


def test_strings_as_stored_blank_ones_absent(tmp_path: Path) -> None:
    values = ["00123", " kept ", "Zoë\nline", "", "  ", None]
    assert column(tmp_path, values, pa.string()) == ["00123", " kept ", "Zoë\nline", None, None, None]
    assert column(tmp_path, values, pa.large_string()) == ["00123", " kept ", "Zoë\nline", None, None, None]


def test_integers(tmp_path: Path) -> None:
    assert column(tmp_path, [0, -5, 2**63 - 1, None], pa.int64()) == ["0", "-5", "9223372036854775807", None]
    assert column(tmp_path, [255, None], pa.uint8()) == ["255", None]


def test_floats(tmp_path: Path) -> None:
    values = [3.0, -0.0, 0.1, 2.5, 1e20, 123456789012345.0, 1.5e-7, float("inf"), float("nan"), None]
    assert column(tmp_path, values, pa.float64()) == [
        "3",  # integral floats print as the whole number a user typed
        "0",
        "0.1",
        "2.5",
        "1e+20",  # beyond 1e16 a float is not an exact integer any more
        "123456789012345",
        "1.5e-07",
        "inf",
        None,  # NaN is "no value"
        None,
    ]


def test_float32_uses_the_shortest_text_for_its_width(tmp_path: Path) -> None:
    assert column(tmp_path, [0.1, 3.0, float("nan"), None], pa.float32()) == ["0.1", "3", None, None]


def test_bools(tmp_path: Path) -> None:
    assert column(tmp_path, [True, False, None], pa.bool_()) == ["true", "false", None]


def test_decimals_keep_their_scale(tmp_path: Path) -> None:
    values = [decimal.Decimal("1.50"), decimal.Decimal("-100"), None]
    assert column(tmp_path, values, pa.decimal128(10, 2)) == ["1.50", "-100.00", None]


def test_timestamps_dates_and_times_are_iso_8601(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 11, 24, 9, 0)
    assert column(tmp_path, [moment, None], pa.timestamp("s")) == ["2026-11-24T09:00:00", None]
    assert column(tmp_path, [moment.replace(microsecond=250)], pa.timestamp("us")) == [
        "2026-11-24T09:00:00.000250"
    ]
    assert column(tmp_path, [moment], pa.timestamp("ns")) == ["2026-11-24T09:00:00"]
    aware = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert column(tmp_path, [aware], pa.timestamp("ms", tz="UTC")) == ["2026-07-01T08:00:00+00:00"]
    assert column(tmp_path, [aware], pa.timestamp("us", tz="Europe/Paris")) == ["2026-07-01T10:00:00+02:00"]
    assert column(tmp_path, [aware, None], pa.timestamp("s", tz="+05:30")) == [
        "2026-07-01T13:30:00+05:30",
        None,
    ]
    assert column(tmp_path, [dt.date(2026, 11, 24), None], pa.date32()) == ["2026-11-24", None]
    assert column(tmp_path, [dt.time(9, 30)], pa.time64("us")) == ["09:30:00"]


def test_nested_values_are_compact_json(tmp_path: Path) -> None:
    assert column(tmp_path, [["a", "b"], [], None], pa.list_(pa.string())) == ['["a","b"]', "[]", None]
    struct = pa.struct([("key", pa.string()), ("when", pa.date32()), ("n", pa.float64())])
    assert column(tmp_path, [{"key": "é", "when": dt.date(2026, 1, 2), "n": 1.5}], struct) == [
        '{"key":"é","when":"2026-01-02","n":1.5}'
    ]
    mapping = pa.map_(pa.string(), pa.string())
    assert column(tmp_path, [[("team", "blue"), ("tier", "1")]], mapping) == ['{"team":"blue","tier":"1"}']


def test_dictionary_encoded_strings(tmp_path: Path) -> None:
    values = pa.array(["x", "y", "x", None]).dictionary_encode()
    path = write_table(tmp_path, pa.table({"c": values, "n": [1, 2, 3, 4]}))
    assert [row.cells.get("c") for row in read(path)] == ["x", "y", "x", None]


def test_binary_is_read_as_utf8(tmp_path: Path) -> None:
    assert column(tmp_path, [b"abc", b"\xff", None], pa.binary()) == ["abc", "\\xff", None]


def test_null_column(tmp_path: Path) -> None:
    path = write_table(tmp_path, pa.table({"c": pa.nulls(2), "n": [1, 2]}))
    assert [row.cells for row in read(path)] == [{"n": "1"}, {"n": "2"}]


def test_nanosecond_timestamps_keep_their_nanoseconds(tmp_path: Path) -> None:
    values = pa.array([1_795_510_800_000_000_001, None], pa.timestamp("ns", tz="UTC"))
    path = write_table(tmp_path, pa.table({"c": values, "n": [1, 2]}))
    assert [row.cells.get("c") for row in read(path)] == ["2026-11-24T09:00:00.000000001+00:00", None]


def test_timestamps_across_a_daylight_saving_change(tmp_path: Path) -> None:
    values = [dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)]
    assert column(tmp_path, values, pa.timestamp("s", tz="Europe/London")) == [
        "2026-03-29T00:30:00+00:00",
        "2026-03-29T02:30:00+01:00",
    ]


YEAR_1_UTC = -62_135_596_800_000_000  # 0001-01-01T00:00Z in microseconds: year 0 in America/New_York


YEAR_10000_UTC = 253_402_300_800_000_000  # 10000-01-01T00:00Z


def test_a_moment_outside_the_datetime_range_in_its_zone_is_given_in_utc(tmp_path: Path) -> None:
    # datetime cannot hold it in its zone (an OverflowError), which must not stop the job.
    values = [1_795_510_800_000_000, YEAR_1_UTC, None, 1_795_510_900_000_000]
    assert column(tmp_path, values, pa.timestamp("us", tz="America/New_York")) == [
        "2026-11-24T04:00:00-05:00",
        "0001-01-01T00:00:00+00:00",  # the same moment; a time field refuses it as long past
        None,
        "2026-11-24T04:01:40-05:00",
    ]
    assert column(tmp_path, [YEAR_1_UTC // 1000], pa.timestamp("ms", tz="America/New_York")) == [
        "0001-01-01T00:00:00+00:00"
    ]


OUTSIDE = "(a moment outside the years 1 to 9999)"


@pytest.mark.parametrize(
    ("values", "kind", "reason"),
    [
        ([0, YEAR_10000_UTC, 1], pa.timestamp("us", tz="America/New_York"), OUTSIDE),
        ([0, YEAR_10000_UTC, 1], pa.timestamp("us"), OUTSIDE),
        ([0, 2**62, 1], pa.timestamp("ms", tz="Asia/Tokyo"), OUTSIDE),
        (
            [[0], [YEAR_1_UTC], [1]],
            pa.list_(pa.field("element", pa.timestamp("us", tz="America/New_York"))),  # as Parquet names it
            "(date value out of range)",
        ),
    ],
    ids=["zoned", "naive", "far", "nested"],
)
def test_a_value_no_text_can_show_makes_only_its_row_invalid(
    tmp_path: Path, values: list[Any], kind: pa.DataType, reason: str
) -> None:
    path = write_table(tmp_path, pa.table({"Name": ["a", "b", "c"], "When": pa.array(values, kind)}))
    rows = read(path, chunk_rows=2)
    assert [(row.row, row.line) for row in rows] == [(1, 2), (2, 3), (3, 4)]
    assert [row.cells.get("Name") for row in rows] == ["a", None, "c"]
    assert [row.problem for row in rows] == [
        None,
        f"column 'When': its {kind} value cannot be read as text {reason}",
        None,
    ]


def test_a_batch_in_memory_is_text_without_a_file() -> None:
    columns: dict[str, pa.Array[Any]] = {
        "Name": pa.array(["a", " ", None]),
        "Count": pa.array([1.0, None, 2.5]),
    }
    batch = pa.record_batch(columns)
    assert batch_texts(batch, ["Name", "Count"]) == ([["a", None, None], ["1", None, "2.5"]], {})


def test_a_value_no_text_can_show_is_named_by_its_position_and_column() -> None:
    batch = pa.record_batch({"When": pa.array([0, YEAR_10000_UTC, None], pa.timestamp("us"))})
    assert batch_texts(batch, ["When"]) == (
        [["1970-01-01T00:00:00", None, None]],
        {1: f"column 'When': its timestamp[us] value cannot be read as text {OUTSIDE}"},
    )
