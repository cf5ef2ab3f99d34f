"""Moving the ledger aside at the start of a run and back: a crash at any point loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import job_file_path, pending_path, prev_path
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.rotation import finish, has_ledger, open_previous, undo_open, undo_run
from bulkload.records import Status
from tests.unit.ledger.helpers import outcome, write


def test_open_previous_moves_the_ledger_aside_and_finish_drops_it(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1), outcome(2)])

    previous = open_previous(path)
    try:
        assert not path.exists()
        assert prev_path(path).exists()
        assert [o.row for o in previous] == [1, 2]
        assert previous.job_ids == {"job-1"}
    finally:
        previous.close()
    write(path, [outcome(1), outcome(2)])
    finish(path)
    assert not prev_path(path).exists()
    assert [o.row for o in read_outcomes(path)] == [1, 2]


def test_a_run_that_died_mid_rewrite_is_merged_over_the_previous_ledger(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    # The earlier run: rows 1-3 failed. The run that died had rewritten rows 1-2 (2 now created) and
    # was killed mid-line on row 3.
    write(prev_path(path), [outcome(r, status=Status.FAILED, contact_id="") for r in (1, 2, 3)])
    write(path, [outcome(1, status=Status.FAILED, contact_id="", attempts=2), outcome(2)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("3,4,3,cre")

    previous = open_previous(path)
    try:
        merged = {o.row: o for o in previous}
    finally:
        previous.close()

    assert merged[1].status is Status.FAILED
    assert merged[1].attempts == 2
    assert merged[2].status is Status.CREATED
    assert merged[2].contact_id == "c-2"
    assert merged[3].status is Status.FAILED  # the torn line did not replace what was known
    # And the merge is on disk, so a second crash now still loses nothing.
    on_disk = {o.row: o.status for o in read_outcomes(prev_path(path))}
    assert on_disk == {1: Status.FAILED, 2: Status.CREATED, 3: Status.FAILED}


def test_open_previous_without_a_ledger_knows_nothing(tmp_path: Path) -> None:
    previous = open_previous(tmp_path / "r.csv")
    try:
        assert len(previous) == 0
        assert previous.get("1") is None
    finally:
        previous.close()


def test_open_previous_refuses_a_file_that_is_not_a_results_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Name,Description\nA,B\n")
    with pytest.raises(ResultsFileError, match="is not a bulkload results file"):
        open_previous(path)
    assert path.read_text() == "Name,Description\nA,B\n"
    assert not prev_path(path).exists()


def test_a_created_outcome_is_never_replaced_by_a_later_line_for_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    repeated = outcome(3, key="1", status=Status.INVALID, contact_id="", client_token="", error_code="Row")
    write(prev_path(path), [outcome(1, status=Status.FAILED, contact_id=""), outcome(2)])
    write(path, [outcome(1), outcome(2, status=Status.FAILED, contact_id=""), repeated])

    previous = open_previous(path)
    try:
        found = previous.get("1")
        assert found is not None
        assert (found.row, found.status, found.contact_id) == (1, Status.CREATED, "c-1")
        second = previous.get("2")
        assert second is not None
        assert (second.status, second.contact_id) == (Status.CREATED, "c-2")
    finally:
        previous.close()


def test_undo_open_puts_the_previous_ledger_back(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    open_previous(path).close()
    write(path, [])  # a run that read no rows

    undo_open(path)

    assert [o.row for o in read_outcomes(path)] == [1]
    assert not prev_path(path).exists()


def test_undo_open_without_a_previous_ledger_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    open_previous(path).close()
    write(path, [])

    undo_open(path)

    assert not path.exists()
    assert not prev_path(path).exists()


@pytest.mark.parametrize("had_ledger", [True, False])
def test_undo_run_removes_the_job_file_only_of_a_ledger_it_started(tmp_path: Path, had_ledger: bool) -> None:
    path = tmp_path / "r.csv"
    if had_ledger:
        write(path, [outcome(1)])
    open_previous(path).close()
    write(path, [])
    job_file_path(path).write_text("{}")

    undo_run(path, had_ledger=had_ledger)

    assert job_file_path(path).exists() is had_ledger
    assert path.exists() is had_ledger


def test_undo_run_drops_the_pending_file_of_the_run_it_undoes(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    open_previous(path).close()
    write(path, [outcome(1)])
    write(pending_path(path), [outcome(3, status=Status.INVALID)])  # an outcome that waited for row 2

    undo_run(path, had_ledger=True)

    assert not pending_path(path).exists()
    assert [o.row for o in read_outcomes(path)] == [1]


def test_a_ledger_is_the_results_file_or_the_previous_one_a_crashed_run_left(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    assert not has_ledger(path)
    write(prev_path(path), [outcome(1)])
    assert has_ledger(path)
    prev_path(path).unlink()
    write(path, [outcome(1)])
    assert has_ledger(path)


def test_finish_drops_the_pending_file_too(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    write(prev_path(path), [outcome(1)])
    write(pending_path(path), [outcome(2)])
    finish(path)
    assert not prev_path(path).exists()
    assert not pending_path(path).exists()
    assert path.exists()
