"""Progress snapshots for a caller's callback: the figures at one moment, at an interval; a callback that
raises stops the job and its error is kept for the caller."""

from __future__ import annotations

import asyncio

import pytest

from bulkload.errors import ConfigError
from bulkload.progress import JobProgress
from bulkload.records import RowOutcome, Status
from bulkload.watch import ProgressReporter, ProgressSnapshot, check_interval, snapshot


def progress_of(created: int, invalid: int, total: int | None) -> JobProgress:
    progress = JobProgress(total_rows=total, sent=created, current_rate=lambda: 4.5)
    for row in range(1, created + invalid + 1):
        status = Status.CREATED if row <= created else Status.INVALID
        progress.record(RowOutcome(row=row, line=row + 1, key=str(row), status=status, job_id="j"))
    return progress


def test_a_snapshot_copies_the_figures_of_the_moment() -> None:
    progress = progress_of(3, 1, total=8)
    taken = snapshot(progress)
    progress.record(RowOutcome(row=5, line=6, key="5", status=Status.FAILED, job_id="j"))
    assert (taken.rows_done, taken.total_rows, taken.counts, taken.sent) == (
        4,
        8,
        {"created": 3, "invalid": 1},
        3,
    )
    assert (taken.rate, taken.fraction) == (4.5, 0.5)
    assert taken.elapsed >= 0
    assert snapshot(progress_of(1, 0, total=None)).fraction is None


def test_the_interval_is_a_number_of_seconds_no_shorter_than_a_tenth() -> None:
    assert check_interval(2) == 2.0
    for wrong in (0, 0.05, True, "1"):
        with pytest.raises(ConfigError, match=r"progress_interval must be at least 0\.1 seconds"):
            check_interval(wrong)  # type: ignore[arg-type]


async def test_the_reporter_calls_back_at_each_interval_until_cancelled() -> None:
    seen: list[ProgressSnapshot] = []
    three = asyncio.Event()

    def report(taken: ProgressSnapshot) -> None:
        seen.append(taken)
        if len(seen) == 3:
            three.set()

    stops: list[bool] = []
    reporter = ProgressReporter(progress_of(2, 0, total=2), report, 0.01, lambda: stops.append(True))
    task = asyncio.create_task(reporter.run())
    await asyncio.wait_for(three.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(s.rows_done == 2 for s in seen)
    assert (reporter.error, stops) == (None, [])


@pytest.mark.parametrize("error", [ValueError("dashboard down"), KeyboardInterrupt()])
async def test_a_callback_that_raises_stops_the_job_and_its_error_is_kept(error: BaseException) -> None:
    def fail(_snapshot: ProgressSnapshot) -> None:
        raise error

    stops: list[bool] = []
    reporter = ProgressReporter(progress_of(1, 0, total=1), fail, 0.01, lambda: stops.append(True))
    await asyncio.wait_for(reporter.run(), 5)  # it returns: no more reports
    assert (reporter.error, stops) == (error, [True])
