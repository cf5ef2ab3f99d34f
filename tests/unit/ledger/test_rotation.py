"""Moving the ledger aside at the start of a run and back: a crash at any point loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import job_file_path, pending_path, prev_path, sends_path
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.rotation import finish, has_ledger, open_previous, undo_open, undo_run
from bulkload.ledger.sends import UNKNOWN_OUTCOME, UNKNOWN_OUTCOME_MESSAGE
from bulkload.records import RowOutcome, Status
from tests.unit.ledger.helpers import outcome, write, write_sends


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


def sent(row: int, token: str | None = None, sent_at: str = "2026-11-20T08:00:00Z") -> RowOutcome:
    """Row `row` as a run recorded it before sending it (under its token, or `token`)."""
    return outcome(row, client_token=token or f"bl1-{row}", sent_at=sent_at)


def folded(path: Path) -> dict[str, RowOutcome]:
    previous = open_previous(path)
    try:
        return {o.key: o for o in previous}
    finally:
        previous.close()


def test_a_row_sent_without_an_outcome_becomes_an_unknown_outcome_of_its_token(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write(path, [outcome(1)])  # the killed run recorded row 1 created, and sent rows 1 to 3
    write_sends(sends_path(path), [sent(1), sent(2), sent(3)])

    known = folded(path)

    assert known["1"].status is Status.CREATED
    for key in ("2", "3"):
        unknown = known[key]
        assert (unknown.status, unknown.error_code, unknown.error_message) == (
            Status.FAILED,
            UNKNOWN_OUTCOME,
            UNKNOWN_OUTCOME_MESSAGE,
        )
        assert (unknown.client_token, unknown.request_hash) == (f"bl1-{key}", f"h{key}")
        assert (unknown.job_id, unknown.sent_at, unknown.contact_id) == ("job-1", "2026-11-20T08:00:00Z", "")
    # Folded into the previous ledger on disk, and the record is gone: a second crash loses nothing.
    assert not sends_path(path).exists()
    on_disk = {o.key: (o.status, o.error_code) for o in read_outcomes(prev_path(path))}
    assert on_disk == {
        "1": (Status.CREATED, ""),
        "2": (Status.FAILED, UNKNOWN_OUTCOME),
        "3": (Status.FAILED, UNKNOWN_OUTCOME),
    }


def test_an_outcome_of_the_run_that_sent_the_row_wins_over_its_send(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write(path, [outcome(1, status=Status.REJECTED, contact_id="", error_code="InvalidParameterException")])
    write(pending_path(path), [outcome(2)])
    write_sends(sends_path(path), [sent(1), sent(2)])

    known = folded(path)

    assert (known["1"].status, known["2"].status) == (Status.REJECTED, Status.CREATED)


def test_a_send_wins_over_an_earlier_runs_outcome_except_a_created_one(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    earlier = [
        outcome(1, status=Status.FAILED, contact_id="", client_token="bl1-old"),
        outcome(2, status=Status.INVALID, contact_id="", client_token="", request_hash=""),
        outcome(3),
    ]
    write(prev_path(path), earlier)
    write(path, [])  # the killed run had written no outcome yet
    write_sends(sends_path(path), [sent(1, "bl1-new"), sent(2), sent(3, "bl1-other")])

    known = folded(path)

    assert (known["1"].client_token, known["1"].error_code) == ("bl1-new", UNKNOWN_OUTCOME)
    assert (known["2"].status, known["2"].client_token) == (Status.FAILED, "bl1-2")
    assert (known["3"].status, known["3"].contact_id) == (Status.CREATED, "c-3")


def test_a_run_killed_before_its_first_outcome_still_names_its_job(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write(path, [])
    write_sends(sends_path(path), [sent(1)], job_id="job-7")

    previous = open_previous(path)
    try:
        assert previous.job_ids == {"job-7"}
    finally:
        previous.close()


def test_finish_removes_the_record_of_sends(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    write_sends(sends_path(path), [sent(1)])
    finish(path)
    assert not sends_path(path).exists()


def test_a_run_that_sent_a_row_is_not_undone(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    open_previous(path).close()
    write(path, [])
    job_file_path(path).write_text("{}")
    write_sends(sends_path(path), [sent(2)])  # sent, its answer never came, no row decided

    undo_run(path, had_ledger=False)

    assert prev_path(path).exists()
    assert path.exists()
    assert job_file_path(path).exists()
    assert {key: o.status for key, o in folded(path).items()} == {"1": Status.CREATED, "2": Status.FAILED}
