"""The send loop: one producer queues prepared rows, `concurrency` workers send them, outcomes go in order.

Rows decided without sending (carried over, invalid, held) are completed at once; requests wait in a
bounded queue for a worker. A stop (asked for, the service refusing the job's credentials, or a bug in a
worker) takes no new row, stops the sender, and gives the calls in flight `drain_timeout` seconds to
finish; whatever completed is written, and the rest resumes next run with the same tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar, cast

from bulkload.errors import ServiceRefusedJobError
from bulkload.pool.operation import OutcomeT, RequestT
from bulkload.pool.sender import Sender
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
    which the loop also sets itself when the service refuses the job or a worker crashes.
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
    ) -> None:
        self.sender = sender
        self.ordered = ordered
        self.progress = progress
        self.total = 0  # rows taken from the input
        self.refused: ServiceRefusedJobError | None = (
            None  # the service refused the job: nothing more is sent
        )
        self.crash: BaseException | None = None  # a bug in a worker: everything stops, then it is raised
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

        Raises what stopped the producer (an input error part-way) or the crash of a worker.
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
        return self.total

    async def _produce(self) -> None:
        while not self._stop.is_set():
            items = await self._next_items()
            if items is None:
                return
            for item in items:
                if self._stop.is_set():
                    return
                self.total += 1
                self.ordered.expect(item.row)
                if isinstance(item, self.sender.operation.request_type):
                    await self._queue.put(item)
                else:
                    decided = cast(OutcomeT, item)
                    if self.sender.operation.done(decided):
                        self.progress.carried_over += 1
                    self.ordered.complete(decided)

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
                self.progress.sent += 1
                self.ordered.complete(outcome)

    async def _send(self, request: RequestT) -> OutcomeT | None:
        """The row's outcome; None when the sender gave it up on a stop, or a bug stopped the job."""
        try:
            return await self.sender.send(request)
        except ServiceRefusedJobError as refused:
            if self.refused is None:
                self.refused = refused
            self._halt()
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
