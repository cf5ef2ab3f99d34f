"""Live progress figures and the summary built from them."""

from __future__ import annotations

import logging
import time

import pytest

from bulkload.pool import PoolStats
from bulkload.progress import JobProgress, JobSummary, StaleUnknownOutcomes
from bulkload.records import RowOutcome, Status


def outcome(row: int, status: Status = Status.CREATED, code: str = "") -> RowOutcome:
    return RowOutcome(row=row, line=row + 1, key=str(row), status=status, job_id="job-1", error_code=code)


def test_outcomes_are_counted_and_errors_grouped_by_status_and_code() -> None:
    progress = JobProgress()
    for row in range(1, 4):
        progress.record(outcome(row))
    for row in range(4, 12):
        progress.record(outcome(row, Status.INVALID, "Name"))
    progress.record(outcome(12, Status.FAILED, "Timeout"))
    progress.record_valid()

    assert progress.rows_done == 13
    assert progress.counts == {"created": 3, "invalid": 8, "failed": 1, "valid": 1}
    [names] = progress.errors.find("invalid", "Name")
    assert (names.count, names.rows) == (8, [4, 5, 6, 7, 8])  # a few example rows, not all
    assert [g.count for g in progress.errors.find("failed", "Timeout")] == [1]
    assert not progress.errors.find("created", "")


def test_a_created_row_changed_since_is_counted() -> None:
    progress = JobProgress()
    progress.record_changed_after_created(3, "k3")
    assert progress.changed_after_created == 1


def test_the_summary_takes_the_figures_and_ranks_the_errors() -> None:
    stats = PoolStats(attempts=6, retries=2)
    stats.latency.add(0.02)
    progress = JobProgress(rate_limit=5.0, sent=4, carried_over=1, pool=stats)
    progress.record(outcome(1))
    progress.record(outcome(2, Status.FAILED, "Timeout"))
    for row in (3, 4):
        progress.record(outcome(row, Status.REJECTED, "InvalidParameterException"))

    summary = progress.summarise(
        command="run",
        job_id="job-1",
        input_path="tasks.csv",
        results="tasks.results.csv",
        total_rows=4,
        started=time.monotonic() - 2,
        interrupted=False,
    )

    assert (summary.sent, summary.carried_over, summary.attempts, summary.retries) == (4, 1, 6, 2)
    assert summary.rate_limit == 5.0
    assert summary.achieved_rate is not None
    assert 2.5 < summary.achieved_rate <= 3.0
    assert summary.elapsed_seconds >= 2
    assert [g["code"] for g in summary.top_errors] == ["InvalidParameterException", "Timeout"]
    assert summary.latency_ms["p50"] is not None
    assert summary.exit_code == 1
    assert summary.retry_command == "bulkload retry tasks.results.csv"


def test_a_summary_without_calls_has_no_latency_and_an_interrupted_one_exits_130() -> None:
    progress = JobProgress()
    summary = progress.summarise(
        command="run",
        job_id="job-1",
        input_path="tasks.csv",
        results="tasks.results.csv",
        total_rows=3,
        started=time.monotonic(),
        interrupted=True,
    )
    assert summary.latency_ms == {"p50": None, "p95": None, "p99": None}
    assert (summary.attempts, summary.achieved_rate) == (0, None)
    assert (summary.interrupted, summary.not_reached, summary.exit_code) == (True, True, 130)
    assert summary.retry_command is None


def test_a_run_stopped_by_its_limit_exits_0_when_every_row_it_took_was_created() -> None:
    progress = JobProgress(total_rows=30)
    for row in (1, 2):
        progress.record(outcome(row))

    def summary(*, reached: bool) -> JobSummary:
        return progress.summarise(
            command="run",
            job_id="job-1",
            input_path="tasks.csv",
            results="tasks.results.csv",
            total_rows=2,
            started=time.monotonic(),
            interrupted=False,
            limit=2,
            limit_reached=reached,
        )

    done = summary(reached=True)
    assert (done.exit_code, done.limit, done.limit_reached, done.input_rows) == (0, 2, True, 30)
    assert done.retry_command is None
    progress.record(outcome(3, Status.REJECTED, "ResourceNotFoundException"))
    assert summary(reached=True).exit_code == 1


def test_stale_unknown_outcomes_are_in_the_summary_its_json_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    progress = JobProgress()
    progress.record_stale_unknown(3, "k3", 30 * 3600)
    progress.record_stale_unknown(7, "k7", 50.25 * 3600)
    with caplog.at_level(logging.WARNING, logger="bulkload"):
        summary = progress.summarise(
            command="run",
            job_id="job-1",
            input_path="tasks.csv",
            results="tasks.results.csv",
            total_rows=7,
            started=time.monotonic(),
            interrupted=False,
        )

    assert summary.stale_unknown_outcomes == StaleUnknownOutcomes(rows=2, oldest_hours=50.2)
    assert summary.as_dict()["stale_unknown_outcomes"] == {"rows": 2, "oldest_hours": 50.2}
    warning = summary.stale_unknown_outcomes.warning()
    assert warning.startswith("2 rows resolved an unknown outcome whose attempt was made more than 24 hours")
    assert "(the oldest 50 hours ago)" in warning
    assert "7 days for the other Connect start-contact APIs" in warning
    assert "may no longer be recognised" in warning
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [warning]


def test_a_summary_without_stale_unknown_outcomes_says_none() -> None:
    summary = JobProgress().summarise(
        command="run",
        job_id="job-1",
        input_path="tasks.csv",
        results="tasks.results.csv",
        total_rows=1,
        started=time.monotonic(),
        interrupted=False,
    )
    assert summary.stale_unknown_outcomes is None
    assert summary.as_dict()["stale_unknown_outcomes"] is None
