"""The summary's plain lines: what cron mails and a pipe shows."""

from __future__ import annotations

from typing import Any

from bulkload.cli.output import summary_text
from bulkload.progress import JobSummary, StaleUnknownOutcomes


def _summary(**fields: Any) -> JobSummary:
    base: dict[str, Any] = {
        "command": "run",
        "job_id": "job-1",
        "input": "tasks.csv",
        "results": "tasks.results.csv",
        "total_rows": 3,
        "counts": {"created": 3},
        "sent": 3,
        "carried_over": 0,
        "attempts": 3,
        "retries": 0,
        "throttles": 0,
        "rate_limit": 2.0,
        "achieved_rate": 1.9,
        "latency_ms": {"p50": 12.0, "p95": 30.0, "p99": 41.0},
        "elapsed_seconds": 1.5,
        "top_errors": [],
        "interrupted": False,
        "not_reached": False,
    }
    return JobSummary(**{**base, **fields})


def test_every_row_created() -> None:
    lines = summary_text(_summary())
    assert lines[0] == "run: tasks.csv (3 rows) in 1.5s"
    assert "job id: job-1" in lines
    assert "rate 1.90 calls/s (limit 2/s); latency p50 12.0 ms, p95 30.0 ms, p99 41.0 ms" in lines
    assert not any("re-run" in line for line in lines)


def test_no_call_succeeded_says_so_instead_of_none_ms() -> None:
    summary = _summary(
        counts={"failed": 3},
        latency_ms={"p50": None, "p95": None, "p99": None},
        top_errors=[
            {
                "status": "failed",
                "code": "InternalServiceException",
                "count": 3,
                "rows": [1, 2, 3],
                "message": "m",
            }
        ],
    )
    lines = summary_text(summary)
    assert "rate 1.90 calls/s (limit 2/s); no call succeeded, so no latency" in lines
    assert not any("None" in line for line in lines)
    assert "  failed InternalServiceException x3 (rows 1, 2, 3): m" in lines
    assert lines[-1] == "to re-run the rows not created: bulkload retry tasks.results.csv"


def test_the_retry_command_quotes_the_path_and_names_the_emulator() -> None:
    summary = _summary(counts={"created": 2, "invalid": 1}, results="my results.csv", emulator=True)
    assert summary.retry_command == "bulkload retry 'my results.csv' --emulator"
    assert summary.as_dict()["retry_command"] == summary.retry_command
    assert _summary(counts={"created": 2}, interrupted=True).retry_command is None
    assert _summary(command="validate", counts={"valid": 2, "invalid": 1}).retry_command is None


def test_stale_unknown_outcomes_are_a_warning_line() -> None:
    stale = StaleUnknownOutcomes(rows=4, oldest_hours=31.0)
    lines = summary_text(_summary(stale_unknown_outcomes=stale))
    assert f"warning: {stale.warning()}" in lines
    assert not any("24 hours" in line for line in summary_text(_summary()))
