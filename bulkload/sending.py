"""A run's send stage: the row sender with its breakers, the send loop, the results file it fills and
the record of sends it writes before each row's first request leaves.

`Job` starts it once the job file is recorded. A `RowSender` with both breakers (`pool.breaker`) sends
the rows the job's preparer hands the loop, which takes at most the run's `limit` rows not created yet;
progress counts each outcome as it is decided, and the results file gets them in input order (those
waiting for an earlier row kept in `.pending`). `refusal` and `unreadable_part_way` word the job errors
that stop a run once rows were decided: those rows stay recorded, and the next run continues.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bulkload.connect.classify import ClassifiedError, refused_error
from bulkload.errors import InputError, ServiceAccessError
from bulkload.ledger import InOrderWriter, ResultsWriter, SendRecord, pending_path, sends_path
from bulkload.plurals import counted
from bulkload.pool import RowSender
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.pool.workers import SendLoop
from bulkload.prepare import Prepared
from bulkload.progress import JobProgress
from bulkload.records import RowOutcome, TaskRequest
from bulkload.settings import JobSettings
from bulkload.storage.options import Location


class SendStage:
    """One run's sender, send loop and results writers: `run` it once, then `close` it."""

    def __init__(
        self,
        client: Any,
        settings: JobSettings,
        *,
        job_id: str,
        progress: JobProgress,
        results: Path,
        next_items: Callable[[], Awaitable[Sequence[Prepared] | None]],
        stop: asyncio.Event,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        """Wire the stage for `settings`, writing the local results file `results` (for results in S3, their
        working copy); progress shows the sender's figures from now on."""
        pool = settings.pool
        # The record of sends: each row's first request leaves only once the row is on disk as sent.
        self._record = SendRecord(sends_path(results), job_id=job_id)
        sender = RowSender(
            client,
            pool,
            job_id=job_id,
            sleep=sleep,
            breaker=RoutingBreaker.from_settings(pool),
            unreachable=UnreachableBreaker.from_settings(pool),
            record=self._record.before_send,
        )
        progress.pool = sender.stats
        progress.current_rate = lambda: sender.rate.rate
        progress.in_flight = lambda: sender.gate.in_flight
        self._writer = ResultsWriter(results)
        self._ordered = InOrderWriter(self._writer, pending=pending_path(results))
        self.loop: SendLoop[TaskRequest, RowOutcome] = SendLoop(
            sender,
            self._ordered,
            progress,
            next_items=next_items,
            stop=stop,
            concurrency=pool.max_concurrency,
            drain_timeout=settings.drain_timeout,
            limit=settings.limit,
            on_decided=progress.record,
        )

    async def run(self, settle: Callable[[], Awaitable[None]]) -> int:
        """Send every row; return how many rows were taken from the input. Then, once `settle()` says
        nothing reads the input any more, write the outcomes still waiting and close the results file."""
        try:
            return await self.loop.run()
        finally:
            await settle()
            self._ordered.flush_all()
            self._ordered.close()
            self._writer.close()
            self._record.close()


def refusal(error: ClassifiedError, progress: JobProgress, results: Location) -> ServiceAccessError:
    """The job error for credentials or a permission the service refused while rows were sent."""
    refused = refused_error(error)
    if not progress.sent or progress.rows_done <= 1:
        return refused
    return ServiceAccessError(
        f"{refused}; the {progress.rows_done} rows decided so far are recorded in {results} and the next "
        "run continues"
    )


def unreadable_part_way(error: InputError, progress: JobProgress, results: Location) -> InputError:
    """The job error for an input found unreadable part-way (a large CSV's background scan found bad
    bytes), after some rows were decided."""
    done = progress.rows_done
    return InputError(
        f"{error}\n{counted(done, 'row')} before it {'is' if done == 1 else 'are'} recorded in {results} "
        f"({progress.sent} sent this run); nothing after it was sent. Fix the file (or --encoding) and run "
        "again to continue"
    )
