"""A run's claim on its results file: the earlier outcomes and job id before anything is sent, and
everything put back as it was when the run sends nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulkload.errors import InputError
from bulkload.ledger.claim import LedgerClaim, claim_ledger
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.paths import job_file_path, prev_path
from bulkload.ledger.reader import read_outcomes
from tests.unit.ledger.helpers import outcome, write


def claim(path: Path, *, job_id: str | None = None, key_column: str | None = None) -> LedgerClaim:
    return claim_ledger(
        path,
        input_path=path.with_name("in.csv"),
        explicit=False,
        fingerprint="fp",
        key_column=key_column,
        job_id=job_id,
    )


def test_a_claim_takes_the_job_id_and_earlier_outcomes_and_writes_no_job_file(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1), outcome(2)])

    claimed = claim(path)
    try:
        assert claimed.job_id == "job-1"
        assert claimed.had_ledger
        assert [o.row for o in claimed.previous] == [1, 2]
        assert prev_path(path).exists()
        assert not job_file_path(path).exists()  # not before the run commits
    finally:
        claimed.previous.close()


def test_a_first_claim_derives_the_job_id_and_commit_records_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    claimed = claim(path, job_id="job-7")
    claimed.previous.close()
    assert (claimed.job_id, claimed.had_ledger) == ("job-7", False)

    claimed.commit(input_path=tmp_path / "in.csv", fingerprint="fp", options={"pool": {"rate": 2}})

    body = json.loads(job_file_path(path).read_text(encoding="utf-8"))
    assert (body["job_id"], body["fingerprint"], body["options"]) == ("job-7", "fp", {"pool": {"rate": 2}})


def test_undo_puts_the_results_back_and_keeps_an_earlier_job_file(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    first = claim(path)
    first.previous.close()
    first.commit(input_path=tmp_path / "in.csv", fingerprint="fp", options={})
    first.undo()
    assert [o.row for o in read_outcomes(path)] == [1]
    assert job_file_path(path).exists()  # an earlier run's ledger: its job file stays


def test_a_job_file_alone_counts_as_an_earlier_run(tmp_path: Path) -> None:
    # A run killed before its first answer leaves a job file and no outcome: its tokens may be out, so
    # undoing a later run must keep that job file (and its job id).
    path = tmp_path / "r.csv"
    first = claim(path, job_id="job-9")
    first.previous.close()
    first.commit(input_path=tmp_path / "in.csv", fingerprint="fp", options={})

    again = claim(path)
    again.previous.close()
    again.undo()

    assert (again.job_id, again.had_ledger) == ("job-9", True)
    assert job_file_path(path).exists()


def test_a_claim_refused_by_the_guard_sets_nothing_aside(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    first = claim(path)
    first.previous.close()
    first.commit(input_path=tmp_path / "in.csv", fingerprint="fp", options={"mapping": {}})
    first.undo()

    with pytest.raises(InputError, match="was written with no --key"):
        claim(path, key_column="Ticket")
    assert path.exists()
    assert not prev_path(path).exists()


def _claim_data(path: Path, data: MemoryInput, fingerprint: str, job_id: str | None = None) -> LedgerClaim:
    return claim_ledger(
        path,
        input_path=None,
        memory=data,
        explicit=True,
        fingerprint=fingerprint,
        key_column=None,
        job_id=job_id,
    )


def test_data_in_memory_claims_its_results_by_what_it_was(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    frame = MemoryInput("dataframe", ("Name",), 3)
    first = _claim_data(path, frame, "fp")
    first.previous.close()
    first.commit(input_path=None, memory=frame, fingerprint="fp", options={})
    body = json.loads(job_file_path(path).read_text(encoding="utf-8"))
    assert (body["input"], body["memory"]) == (
        "<dataframe>",
        {"kind": "dataframe", "columns": ["Name"], "rows": 3},
    )

    edited = _claim_data(path, frame, "other content")  # the same shape: the same data, cells fixed
    edited.previous.close()
    assert edited.job_id == first.job_id
    with pytest.raises(
        InputError, match=r"holds the results of other data \(a DataFrame of 3 rows x 1 columns\)"
    ):
        _claim_data(path, MemoryInput("dataframe", ("Name",), 4), "grown")
    named = _claim_data(path, MemoryInput("dataframe", ("Name",), 4), "grown", job_id=first.job_id)
    named.previous.close()
    assert named.job_id == first.job_id
