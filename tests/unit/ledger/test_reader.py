"""Reading a results file back: torn lines, foreign files, awkward keys and very large cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.rotation import open_previous
from bulkload.ledger.writer import COLUMNS
from bulkload.records import Status
from tests.unit.ledger.helpers import outcome, write


def test_a_torn_last_line_is_ignored_and_every_line_before_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1), outcome(2), outcome(3)])
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"\n", 0, len(whole) - 1) + 1] + b"3,4,3,creat")

    assert [o.row for o in read_outcomes(path)] == [1, 2]


def test_a_torn_line_inside_a_quoted_field_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('2,3,2,invalid,,,Name,"Name: is requ')

    assert [o.row for o in read_outcomes(path)] == [1]


def test_an_empty_file_reads_as_no_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("")
    assert list(read_outcomes(path)) == []


def test_outcomes_read_back_as_written(tmp_path: Path) -> None:
    written = [
        outcome(1),
        outcome(2, status=Status.INVALID, contact_id="", client_token="", error_code="Name", attempts=0),
        outcome(3, status=Status.FAILED, contact_id="", error_code="ConnectionError", error_message="x"),
    ]
    assert list(read_outcomes(write(tmp_path / "r.csv", written))) == written


# The header of a results file written before the instance_id and scheduled_time columns.
OLDER = ",".join(COLUMNS[: COLUMNS.index("request_hash") + 1])


def test_a_file_written_before_the_instance_and_schedule_columns_reads_with_neither(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(OLDER + "\n1,2,1,created,c-1,t,,,1,j,h\n")

    (read,) = read_outcomes(path)

    assert (read.contact_id, read.instance_id, read.scheduled_time) == ("c-1", "", None)


def test_the_instance_and_schedule_read_back_as_written(tmp_path: Path) -> None:
    written = [outcome(1, instance_id="i-1", scheduled_time=1_900_000_000), outcome(2, instance_id="=i")]
    assert list(read_outcomes(write(tmp_path / "r.csv", written))) == written


def test_the_time_of_the_first_attempt_reads_back(tmp_path: Path) -> None:
    written = [outcome(1, sent_at="2026-11-27T10:15:03Z"), outcome(2, sent_at="")]
    assert list(read_outcomes(write(tmp_path / "r.csv", written))) == written


def test_a_file_written_before_the_sent_at_column_reads_with_it_empty(tmp_path: Path) -> None:
    older = [name for name in COLUMNS if name != "sent_at"]
    path = tmp_path / "r.csv"
    path.write_text(",".join(older) + "\r\n1,2,1,failed,,t,ConnectionError,x,3,j,h,,\r\n", encoding="utf-8")

    (read,) = read_outcomes(path)
    assert (read.status, read.client_token, read.request_hash, read.sent_at) == (Status.FAILED, "t", "h", "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Name,Description\nA,B\n",
            "r.csv is not a bulkload results file: it has no client_token, contact_id, ",
        ),
        (
            OLDER + "\n1,2,1,created\n",
            "r.csv, line 2: 4 fields, expected 11; the file was edited or is not a bulkload results file",
        ),
        (OLDER + "\n1,2,1,maybe,c,t,,,1,j,h\n", "r.csv, line 2: 'maybe' is not a valid Status"),
        (OLDER + "\nx,2,1,created,c,t,,,1,j,h\n", "r.csv, line 2: invalid literal for int()"),
        (
            ",".join(COLUMNS) + "\n1,2,1,created,c,t,,,1,j,h,i,soon,\n",
            "r.csv, line 2: invalid literal for int()",
        ),
        (
            ",".join(COLUMNS) + "\n1,2,1,created\n",
            f"r.csv, line 2: 4 fields, expected {len(COLUMNS)}; the file was edited or is not a bulkload "
            "results file",
        ),
        (
            ",".join(COLUMNS) + "\n1,2,1,maybe,c,t,,,1,j,h,,,\n",
            "r.csv, line 2: 'maybe' is not a valid Status",
        ),
        (",".join(COLUMNS) + "\nx,2,1,created,c,t,,,1,j,h,,,\n", "r.csv, line 2: invalid literal for int()"),
    ],
)
def test_a_file_that_is_not_a_results_file_is_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content)
    with pytest.raises(ResultsFileError) as info:
        list(read_outcomes(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\n\x81\x82\n")
    with pytest.raises(ResultsFileError, match=r"r\.csv is not"):
        list(read_outcomes(path))


@pytest.mark.parametrize("key", ["\r", "a\rb", "=x\r\ny", "\n"])
def test_keys_holding_line_breaks_read_back(tmp_path: Path, key: str) -> None:
    path = write(tmp_path / "r.csv", [outcome(1, key=key), outcome(2)])
    assert [o.key for o in read_outcomes(path)] == [key, "2"]


def test_cells_over_128_kib_read_back(tmp_path: Path) -> None:
    # A key comes from an input cell, which may be far over the csv module's default 128 KiB field limit,
    # and every re-run reads the results file back.
    key = "k" * 200_000
    message = "Description: " + "m" * 200_000
    path = write(
        tmp_path / "r.csv",
        [outcome(1), outcome(2, key=key, status=Status.INVALID, error_message=message), outcome(3)],
    )
    before = csv.field_size_limit(131_072)  # the default, as a fresh process has it
    try:
        back = list(read_outcomes(path))
        index = open_previous(path)
        try:
            known = index.get(key)
        finally:
            index.close()
    finally:
        csv.field_size_limit(before)
    assert [(o.row, o.key, o.error_message) for o in back] == [(1, "1", ""), (2, key, message), (3, "3", "")]
    assert known is not None
    assert known.error_message == message
