"""The stop ledger: read back as written, the latest line of a task wins, a torn line is ignored, a line
about to be sent is on disk at once, and a stop leaves one line per task in row order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import stop_ledger_path
from bulkload.undo.ledger import COLUMNS, StopLedger, read_stop_ledger, rewrite
from bulkload.undo.records import StopOutcome, StopStatus
from tests.unit.undo.helpers import request, stop_outcome


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_outcomes_read_back_as_written_even_formula_like_ones(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.stop.csv"
    written = [
        stop_outcome(1),
        stop_outcome(2, StopStatus.ALREADY_ENDED, key="=SUM(A1)", error_code="InvalidRequestException"),
        stop_outcome(3, StopStatus.REJECTED, error_message="two\nlines", instance_id="-i"),
    ]
    rewrite(path, written)

    assert "'=SUM(A1)" in path.read_text(encoding="utf-8")
    read = read_stop_ledger(path)
    assert read["c-1"] == written[0]
    assert read["c-2"] == written[1]
    assert read["c-3"].error_message == "two lines"
    assert read["c-3"].instance_id == "-i"


def test_a_missing_ledger_reads_as_empty(tmp_path: Path) -> None:
    assert read_stop_ledger(tmp_path / "none.stop.csv") == {}


def test_the_latest_line_of_a_task_wins_and_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    ledger = StopLedger(results)
    ledger.complete(stop_outcome(1, StopStatus.FAILED))
    ledger.complete(stop_outcome(2))
    ledger.complete(stop_outcome(1))
    ledger.close()
    with stop_ledger_path(results).open("a", encoding="utf-8") as handle:
        handle.write("3,3,c-3,i,stopp")

    read = read_stop_ledger(stop_ledger_path(results))
    assert sorted(read) == ["c-1", "c-2"]
    assert read["c-1"].status is StopStatus.STOPPED


def test_opening_leaves_one_line_per_task_and_no_torn_line_before_the_new_ones(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    path = stop_ledger_path(results)
    rewrite(path, [stop_outcome(2, StopStatus.FAILED), stop_outcome(1)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2,2,c-2,i,stopped,,,1,2026-01-01T00:00:00Z\r\n2,2,c-2,i,stop")

    ledger = StopLedger(results)
    ledger.complete(stop_outcome(3))
    ledger.close()

    assert lines(path)[0] == ",".join(COLUMNS)
    assert [line.split(",")[0] for line in lines(path)[1:]] == ["1", "2", "3"]
    assert read_stop_ledger(path)["c-2"].status is StopStatus.STOPPED


def test_a_stop_about_to_be_sent_is_on_disk_at_once(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"

    async def send_and_look() -> dict[str, StopOutcome]:
        ledger = StopLedger(results)
        ledger.sending(request(7))
        # Read in the same event-loop turn, before the ledger is closed: the line must be there already.
        seen = read_stop_ledger(stop_ledger_path(results))
        ledger.close()
        return seen

    seen = asyncio.run(send_and_look())
    assert seen["c-7"].status is StopStatus.SENDING
    assert seen["c-7"].time


def test_finishing_leaves_one_line_per_task_in_row_order(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    written: list[StopOutcome] = []
    ledger = StopLedger(results, on_write=written.append)
    for row in (3, 1, 2):
        ledger.sending(request(row))
    for row in (2, 3, 1):
        ledger.complete(stop_outcome(row))
    ledger.close()
    assert len(lines(stop_ledger_path(results))) == 7

    ledger.finish()

    assert [o.row for o in written] == [2, 3, 1]
    assert [line.split(",")[0] for line in lines(stop_ledger_path(results))[1:]] == ["1", "2", "3"]
    assert {o.status for o in read_stop_ledger(stop_ledger_path(results)).values()} == {StopStatus.STOPPED}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("row,key\n1,a\n", "is not a bulkload stop ledger: it has no contact_id, status column"),
        (",".join(COLUMNS) + "\n1,1,c-1,i,maybe,,,1,t\n", "line 2: 'maybe' is not a valid StopStatus"),
        (",".join(COLUMNS) + "\nx,1,c-1,i,stopped,,,1,t\n", "line 2: invalid literal for int()"),
    ],
)
def test_a_damaged_ledger_is_a_clear_error(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "r.csv.stop.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ResultsFileError, match=message):
        read_stop_ledger(path)
