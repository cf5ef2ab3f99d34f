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


def test_a_stopped_job_says_how_many_rows_it_read_of_how_many() -> None:
    stopped = {"interrupted": True, "not_reached": True, "counts": {"created": 101}}
    lines = summary_text(_summary(total_rows=200, rows_read=101, **stopped))
    assert lines[0] == "run: tasks.csv (200 rows, 101 read before the stop) in 1.5s"
    lines = summary_text(_summary(total_rows=101, rows_read=101, total_rows_known=False, **stopped))
    assert lines[0] == (
        "run: tasks.csv (101 rows read before the stop; the input's row count is not known yet) in 1.5s"
    )


def test_counts_of_one_are_singular() -> None:
    summary = _summary(
        total_rows=1,
        counts={"invalid": 1},
        sent=1,
        attempts=1,
        retries=1,
        changed_after_created=1,
        top_errors=[{"status": "invalid", "code": "Name", "count": 1, "rows": [1], "message": "m"}],
    )
    lines = summary_text(summary)
    assert lines[0] == "run: tasks.csv (1 row) in 1.5s"
    assert "sent 1 row this run, 0 created earlier; 1 call, 1 retry, 0 throttled" in lines
    assert "  invalid Name x1 (row 1): m" in lines
    assert (
        "warning: 1 row changed after its task was created and was not sent again; if this is new work at "
        "the same path, give it a new --results (or --job-id), or identify rows with --key"
    ) in lines


def test_the_changed_rows_warning_suggests_key_only_when_rows_have_none() -> None:
    keyed = summary_text(_summary(changed_after_created=3, key_column="Ticket"))
    [warning] = [line for line in keyed if line.startswith("warning: ")]
    assert warning == (
        "warning: 3 rows changed after their task was created and were not sent again; if this is new work "
        "at the same path, give it a new --results (or --job-id)"
    )
    unkeyed = summary_text(_summary(changed_after_created=3))
    assert any(line.endswith(", or identify rows with --key") for line in unkeyed)


def test_a_run_stopped_by_its_limit_says_how_to_continue() -> None:
    lines = summary_text(_summary(limit=3, limit_reached=True, input_rows=300))
    assert "limit reached: 3 of 300 rows sent; run again without --limit to continue" in lines
    assert not any("re-run" in line for line in lines)
    unknown_total = summary_text(_summary(limit=3, limit_reached=True))
    assert "limit reached: 3 rows sent; run again without --limit to continue" in unknown_total
    assert not any("limit reached" in line for line in summary_text(_summary(limit=300)))


def test_stale_unknown_outcomes_are_a_warning_line() -> None:
    stale = StaleUnknownOutcomes(rows=4, oldest_hours=31.0)
    lines = summary_text(_summary(stale_unknown_outcomes=stale))
    assert f"warning: {stale.warning()}" in lines
    assert not any("24 hours" in line for line in summary_text(_summary()))
