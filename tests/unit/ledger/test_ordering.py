"""Outcomes completed out of order are written in input order; the waiting ones are kept on disk."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bulkload.ledger.ordering import InOrderWriter
from bulkload.ledger.paths import pending_path, prev_path
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.rotation import open_previous
from bulkload.ledger.writer import ResultsWriter
from bulkload.records import RowOutcome, Status
from tests.unit.ledger.helpers import outcome


def test_outcomes_completed_out_of_order_are_written_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    seen: list[int] = []
    ordered = InOrderWriter(writer, on_write=lambda o: seen.append(o.row))
    for row in range(1, 6):
        ordered.expect(row)

    ordered.complete(outcome(3))
    ordered.complete(outcome(2))
    assert seen == []
    assert ordered.waiting == 2
    ordered.complete(outcome(1))
    assert seen == [1, 2, 3]
    ordered.complete(outcome(5))
    assert seen == [1, 2, 3]
    ordered.complete(outcome(4))
    writer.close()

    assert seen == [1, 2, 3, 4, 5]
    assert ordered.waiting == 0
    assert [o.row for o in read_outcomes(path)] == [1, 2, 3, 4, 5]


def test_flush_all_writes_what_completed_past_rows_that_never_will(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer)
    for row in range(1, 5):
        ordered.expect(row)
    ordered.complete(outcome(4))
    ordered.complete(outcome(2))
    ordered.flush_all()
    writer.close()

    assert [o.row for o in read_outcomes(path)] == [2, 4]


@given(st.permutations(list(range(1, 13))))
def test_any_completion_order_writes_input_order(order: list[int]) -> None:
    class Memory(ResultsWriter):
        def __init__(self) -> None:
            self.rows: list[int] = []

        def write(self, outcome: RowOutcome) -> None:
            self.rows.append(outcome.row)

    memory = Memory()
    ordered = InOrderWriter(memory)
    for row in range(1, 13):
        ordered.expect(row)
    for row in order:
        ordered.complete(outcome(row))
    assert memory.rows == list(range(1, 13))


def test_outcomes_waiting_for_an_earlier_row_are_kept_on_disk_until_it_lands(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer, pending=pending_path(path))
    for row in (1, 2, 3, 4):
        ordered.expect(row)
    ordered.complete(outcome(1))
    ordered.complete(outcome(3))  # row 2 is still being retried
    ordered.complete(outcome(4))
    # Killed here: only row 1 is in the results file, rows 3 and 4 are in the pending file.
    assert [o.row for o in read_outcomes(path)] == [1]
    assert [o.row for o in read_outcomes(pending_path(path))] == [3, 4]

    previous = open_previous(path)  # the next run
    try:
        assert {o.row: o.status for o in previous} == {
            1: Status.CREATED,
            3: Status.CREATED,
            4: Status.CREATED,
        }
    finally:
        previous.close()
    assert not pending_path(path).exists()  # folded into the previous ledger, on disk
    assert [o.row for o in read_outcomes(prev_path(path))] == [1, 3, 4]
    ordered.close()
    writer.close()


def test_outcomes_in_order_need_no_pending_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer, pending=pending_path(path))
    for row in (1, 2):
        ordered.expect(row)
        ordered.complete(outcome(row))
    ordered.close()
    writer.close()
    assert [o.row for o in read_outcomes(path)] == [1, 2]
    assert not pending_path(path).exists()
