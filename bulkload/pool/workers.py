"""The send loop: one producer queues prepared rows, `concurrency` workers send them, outcomes go in order.

Rows decided without sending (carried over, invalid, held) are completed at once; requests wait in a
bounded queue for a worker. Progress counts each outcome as it is decided (`on_decided`), so a row still
retrying holds back only the results file's input order, never the count. A stop (asked for, the service
refusing the job's credentials, an endpoint that never answers, or a bug in a worker) takes no new row,
stops the sender, and gives the calls in flight `drain_timeout` seconds to finish; whatever completed is
written, and the rest resumes next run with the same tokens. A run's `limit` ends the input early
instead: the rows taken are all sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar, cast

from bulkload.errors import EndpointUnreachableError, ServiceRefusedJobError
from bulkload.pool.operation import OutcomeT, RequestT
from bulkload.pool.sender import Sender
from bulkload.prepare import RowLimit
from bulkload.progress import JobProgress

_OutcomeT_contra = TypeVar("_OutcomeT_contra", contravariant=True)


class OutcomeSink(Protocol[_OutcomeT_contra]):
    """Where outcomes go: told each row as the input gives it, then each outcome (the results file's
    InOrderWriter writes them in input order)."""

    def expect(self, row: int) -> None:
        """The next row of the input."""

    def complete(self, outcome: _OutcomeT_contra) -> None:
        """A row's outcome."""


class SendLoop(Generic[RequestT, OutcomeT]):
    """Sends every prepared row through a pool of workers until the input ends or the job stops.

    `next_items` returns the next prepared chunk (None at the end of the input): requests to send, and
    outcomes decided without sending, which are completed in their place. `stop` is the job's stop event,
    which the loop also sets itself when the service refuses the job, the endpoint never answers, or a
    worker crashes. `limit` takes only the first rows not created yet (see prepare.RowLimit);
    `on_decided` is told each outcome as it is decided, whatever its order.
    """

    def __init__(
        self,
        sender: Sender[RequestT, OutcomeT],
        ordered: OutcomeSink[OutcomeT],
        progress: JobProgress,
        *,
        next_items: Callable[[], Awaitable[Sequence[RequestT | OutcomeT] | None]],
        stop: asyncio.Event,
        concurrency: int,
        drain_timeout: float,
        limit: int | None = None,
        on_decided: Callable[[OutcomeT], None] | None = None,
    ) -> None:
        self.sender = sender
        self.ordered = ordered
        self.progress = progress
        self.total = 0  # rows taken from the input
        self.refused: ServiceRefusedJobError | None = (
            None  # the service refused the job: nothing more is sent
        )
        self.crash: BaseException | None = None  # a bug in a worker: everything stops, then it is raised
        self.unreachable: EndpointUnreachableError | None = None  # raised once the pool has stopped
        self._limit = RowLimit(limit)
        self._on_decided = on_decided
        self._next_items = next_items
        self._stop = stop
        self._concurrency = concurrency
        self._drain_timeout = drain_timeout
        self._queue: asyncio.Queue[RequestT] = asyncio.Queue(maxsize=concurrency * 2)
        self._busy = 0  # workers with a request in hand
        self._idle = asyncio.Event()
        self._idle.set()

    async def run(self) -> int:
        """Send until the input ends (and every request is answered) or the job stops; return the rows taken.

        Raises what stopped the producer (an input error part-way), EndpointUnreachableError when no call
        was ever answered, or the crash of a worker.
        """
        workers = [asyncio.create_task(self._work()) for _ in range(self._concurrency)]
        producer = asyncio.create_task(self._produce())
        stopper = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({producer, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if producer.done() and producer.exception() is None and not self._stop.is_set():
                joined = asyncio.create_task(self._queue.join())
                await asyncio.wait({joined, stopper}, return_when=asyncio.FIRST_COMPLETED)
                joined.cancel()
            if self._stop.is_set() or (producer.done() and producer.exception() is not None):
                self.sender.stop()
                producer.cancel()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), self._drain_timeout)
        finally:
            stopper.cancel()
            producer.cancel()
            for worker in workers:
                worker.cancel()
            await asyncio.gather(producer, stopper, *workers, return_exceptions=True)
        failed = None if producer.cancelled() else producer.exception()
        if failed is not None:
            raise failed
        if self.crash is not None:
            raise self.crash
        if self.unreachable is not None:
            raise self.unreachable
        return self.total

    @property
    def limit_reached(self) -> bool:
        """Whether the run's limit stopped it before the end of the input."""
        return self._limit.reached

    async def _produce(self) -> None:
        while not self._stop.is_set():
            items = await self._next_items()
            if items is None:
                return
            for item in items:
                if self._stop.is_set() or not self._limit.admits(item):  # type: ignore[arg-type]
                    return
                self.total += 1
                self.ordered.expect(item.row)
                if isinstance(item, self.sender.operation.request_type):
                    await self._queue.put(item)
                else:
                    decided = cast(OutcomeT, item)
                    if self.sender.operation.done(decided):
                        self.progress.carried_over += 1
                    self._decided(decided)

    async def _work(self) -> None:
        while True:
            request = await self._queue.get()
            self._busy += 1
            self._idle.clear()
            try:
                outcome = await self._send(request)
            finally:
                self._busy -= 1
                if self._busy == 0:
                    self._idle.set()
                self._queue.task_done()
            if outcome is not None:
                if getattr(outcome, "attempts", 1) > 0:  # not one the breaker refused without sending it
                    self.progress.sent += 1
                self._decided(outcome)

    def _decided(self, outcome: OutcomeT) -> None:
        """Count the row's outcome now, whatever its order; the sink writes it in its own order."""
        if self._on_decided is not None:
            self._on_decided(outcome)
        self.ordered.complete(outcome)

    async def _send(self, request: RequestT) -> OutcomeT | None:
        """The row's outcome; None when it was not sent (the job stopped first, or there were no
        credentials to sign it with), or a bug stopped the job."""
        try:
            return await self.sender.send(request)
        except EndpointUnreachableError as lost:
            if self.unreachable is None:
                self.unreachable = lost
            self._halt()
            return cast(OutcomeT, lost.outcome)  # sent, maybe: recorded as given up (a row keeps its token)
        except ServiceRefusedJobError as refused:
            if self.refused is None:
                self.refused = refused
            self._halt()
            if refused.error.unsent:
                return None  # never sent: nothing to record, and the next run sends it
            return self.sender.operation.refused(request, refused.error, 1, None)
        except Exception as exc:  # noqa: BLE001 - re-raised once the pool has stopped
            # A bug, not a row's outcome: the row stays unwritten (a re-run sends it with the same token),
            # the other workers stop sending, and the job raises it at the end.
            if self.crash is None:
                self.crash = exc
            self._halt()
            return None

    def _halt(self) -> None:
        self._stop.set()
        self.sender.stop()  # now, not when the main task next runs: send nothing more
