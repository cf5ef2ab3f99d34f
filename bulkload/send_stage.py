"""A run's send stage: its prepared rows through the worker pool, their outcomes into the results file.

A `RowSender` with both breakers (`pool.breaker`) sends the requests; the send loop takes at most the
run's `limit` rows not created yet, counts each outcome in the progress as it is decided, and hands it to
the results file in input order (`InOrderWriter`, the waiting ones in `.pending`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bulkload.errors import ServiceRefusedJobError
from bulkload.ledger import InOrderWriter, ResultsWriter, pending_path
from bulkload.pool import RowSender
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.pool.workers import SendLoop
from bulkload.prepare import Prepared
from bulkload.progress import JobProgress
from bulkload.settings import JobSettings


class SendStage:
    """Sends a run's rows with `client` (see the module docstring); `refused` and `limit_reached` say
    how it ended, once `run` has returned or raised."""

    def __init__(
        self,
        client: Any,
        settings: JobSettings,
        *,
        job_id: str,
        progress: JobProgress,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.sender = RowSender(
            client,
            settings.pool,
            job_id=job_id,
            sleep=sleep,
            breaker=RoutingBreaker.from_settings(settings.pool),
            unreachable=UnreachableBreaker.from_settings(settings.pool),
        )
        sender = self.sender
        progress.pool = sender.stats
        progress.current_rate = lambda: sender.rate.rate
        progress.in_flight = lambda: sender.gate.in_flight
        self.refused: ServiceRefusedJobError | None = None  # the service refused the job's credentials
        self.limit_reached = False

    async def run(
        self,
        results_path: Path,
        next_items: Callable[[], Awaitable[Sequence[Prepared] | None]],
        *,
        stop: asyncio.Event,
        settle: Callable[[], Awaitable[None]],
    ) -> int:
        """Send every row `next_items` gives until it ends or `stop` is set; return the rows taken.

        `settle` waits for the chunk being prepared, which still reads the input and the earlier outcomes,
        before the results file is closed.
        """
        settings = self.settings
        writer = ResultsWriter(results_path)
        ordered = InOrderWriter(writer, pending=pending_path(results_path))
        loop = SendLoop(
            self.sender,
            ordered,
            self.progress,
            next_items=next_items,
            stop=stop,
            concurrency=settings.pool.max_concurrency,
            drain_timeout=settings.drain_timeout,
            limit=settings.limit,
            on_decided=self.progress.record,
        )
        try:
            return await loop.run()
        finally:
            self.refused = loop.refused
            self.limit_reached = loop.limit_reached
            await settle()
            ordered.flush_all()
            ordered.close()
            writer.close()
