"""What `load` returns: the job's summary with its outcomes as a DataFrame; data in memory has no retry
command, since no command can read it again."""

from __future__ import annotations

import dataclasses
import datetime
import time
from pathlib import Path

import pytest

from bulkload.progress import JobProgress
from bulkload.records import Status
from bulkload.summary import LoadSummary
from tests.unit.ledger.helpers import outcome, write


def job_summary(results: str | None) -> LoadSummary:
    progress = JobProgress()
    progress.counts.update({"created": 1, "failed": 1})
    summary = progress.summarise(
        command="run",
        job_id="job-1",
        input_path="tasks.csv",
        results=results,
        total_rows=2,
        started=time.monotonic() - 1.5,
        interrupted=False,
    )
    return LoadSummary.of(summary, in_memory=False)


def test_it_is_the_jobs_summary_with_what_load_adds(tmp_path: Path) -> None:
    summary = job_summary(str(tmp_path / "r.csv"))
    assert (summary.counts, summary.exit_code, summary.in_memory) == ({"created": 1, "failed": 1}, 1, False)
    assert summary.retry_command == f"bulkload retry {tmp_path / 'r.csv'}"
    assert summary.elapsed == datetime.timedelta(seconds=summary.elapsed_seconds)
    assert summary.elapsed >= datetime.timedelta(seconds=1.5)
    in_memory = dataclasses.replace(summary, in_memory=True)
    assert in_memory.retry_command is None
    assert in_memory.as_dict()["retry_command"] is None
    assert in_memory.as_dict()["in_memory"] is True


def test_outcomes_read_the_results_file_back_as_a_frame(tmp_path: Path) -> None:
    results = write(tmp_path / "r.csv", [outcome(1), outcome(2, status=Status.FAILED, error_code="Timeout")])
    frame = job_summary(str(results)).outcomes()
    assert frame["status"].tolist() == ["created", "failed"]
    assert frame["error_code"].tolist()[1] == "Timeout"
    with pytest.raises(ValueError, match="no results file"):
        job_summary(None).outcomes()
