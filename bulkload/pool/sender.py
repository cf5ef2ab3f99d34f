"""One row's attempts at StartTaskContact: gated, rate limited, classified, and retried with tenacity.

Every attempt, retries included, passes the same gates in the same order:
    in-flight gate (enough concurrency to fill the rate at the observed latency, no more)
    -> rate limiter (aiolimiter leaky bucket; its drip rate is cut on throttles and climbs back: AIMD)
    -> (the first attempt only) the record of sends: the row is on disk as sent before it leaves
    -> the call, with the row's own ClientToken
tenacity owns the retries: throttles, 5xx, timeouts and dropped connections are retried with exponential
backoff and full jitter up to `max_attempts`; 4xx are never retried.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from bulkload.connect.classify import ClassifiedError, ErrorKind, classify_error
from bulkload.errors import ServiceRefusedJobError
from bulkload.pool.gate import InFlightGate
from bulkload.pool.limiter import AdaptiveLimiter
from bulkload.pool.rate import RateController
from bulkload.pool.settings import PoolSettings
from bulkload.pool.signals import AttemptFailed, Retry, Stopped
from bulkload.pool.stats import PoolStats
from bulkload.records import RowOutcome, Status, TaskRequest

log = logging.getLogger(__package__)

Sleep = Callable[[float], Awaitable[None]]
RecordSend = Callable[[TaskRequest], Awaitable[str]]
"""Records a row as sent, before its first request leaves; returns the time of its first attempt."""


class RowSender:
    """Sends one row's request until it is created, refused, or out of attempts.

    `record` (the ledger's record of sends) is awaited before each row's first attempt is handed to the
    client; its time goes into the outcome's `sent_at`. Retries reuse the token, so they need no record.
    """

    def __init__(
        self,
        client: Any,
        settings: PoolSettings,
        *,
        job_id: str,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        record: RecordSend | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.job_id = job_id
        self.stats = PoolStats()
        self._sleep = sleep
        self._clock = clock
        self._record = record
        # Keep one request of the burst in reserve: the service's bucket then always has a token to
        # absorb network jitter, instead of turning every early arrival into a throttle.
        capacity = max(1, settings.burst - 1)
        self.limiter = AdaptiveLimiter(settings.rate, capacity)
        self.rate = RateController(self.limiter, settings.rate, adaptive=settings.adaptive, clock=clock)
        self.gate = InFlightGate(
            settings.max_concurrency, initial=max(4, math.ceil(settings.rate) + settings.burst)
        )
        self.stopping = False  # see stop()

    def stop(self) -> None:
        """Finish the attempts already sent; start no new one, and release every row waiting to send.

        Rows queued at the in-flight gate or the rate limiter return None at once, rather than each
        waiting out its turn at the rate only to give up then: a Ctrl-C stops in a moment, not a row
        per 1/rate seconds later.
        """
        self.stopping = True
        self.gate.close()
        self.limiter.close()

    def _resize_gate(self) -> None:
        if self.settings.concurrency is not None or self.stats.latency.ewma is None:
            return
        # Little's law: in flight = rate x latency. Twice that absorbs latency spikes.
        self.gate.resize(math.ceil(self.rate.rate * self.stats.latency.ewma * 2) + self.settings.burst)

    async def _attempt(self, request: TaskRequest, first: list[str] | None = None) -> str:
        """One attempt; `first` (the first attempt's) receives the recorded time of the send."""
        async with self.gate:
            await self.limiter.acquire()
            # Checked after the waits, not before: a stop that arrives while this attempt queues for the
            # gate or the limiter must still keep it from being sent.
            if self.stopping:
                raise Stopped
            if first is not None and self._record is not None:
                first[0] = await self._record(request)
            sent_at = self._clock()
            self.stats.attempts += 1
            try:
                async with asyncio.timeout(self.settings.call_timeout):
                    response = await self.client.start_task_contact(**request.call_kwargs())
            except Exception as exc:  # every failure is classified in one place
                self.limiter.start_dripping()
                error = classify_error(exc)
                if error.kind is ErrorKind.THROTTLED:
                    self.stats.throttles += 1
                    self.rate.throttled(sent_at)
                if error.kind is ErrorKind.FATAL:
                    raise ServiceRefusedJobError(error) from exc
                if error.kind is ErrorKind.REJECTED:
                    raise AttemptFailed(error) from exc
                self.stats.errors[error.code] = self.stats.errors.get(error.code, 0) + 1
                raise Retry(error) from exc
            self.limiter.start_dripping()
            self.stats.latency.add(self._clock() - sent_at)
        self.rate.succeeded()
        self._resize_gate()
        return str(response["ContactId"])

    def _before_sleep(self, request: TaskRequest) -> Callable[[RetryCallState], None]:
        def before_sleep(state: RetryCallState) -> None:
            self.stats.retries += 1
            delay = state.upcoming_sleep
            self.stats.backoff_until = max(self.stats.backoff_until, self._clock() + delay)
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "row %d: attempt %d failed (%s); retrying in %.1fs",
                request.row,
                state.attempt_number,
                exc,
                delay,
                extra={"row": request.row, "key": request.key},
            )

        return before_sleep

    async def _sleep_counted(self, seconds: float) -> None:
        self.stats.retrying += 1
        try:
            await self._sleep(seconds)
        finally:
            self.stats.retrying -= 1

    def outcome(self, request: TaskRequest, status: Status, attempts: int, **fields: str) -> RowOutcome:
        """The outcome of `request` with this sender's job id and the request's token (and `sent_at`)."""
        return RowOutcome(
            row=request.row,
            line=request.line,
            key=request.key,
            status=status,
            job_id=self.job_id,
            client_token=request.client_token,
            request_hash=request.request_hash,
            attempts=attempts,
            **({"sent_at": request.sent_at} | fields),
        )

    async def send(self, request: TaskRequest) -> RowOutcome | None:
        """Create the row's task: the outcome says created, rejected or failed; None if the job stopped first.

        Raises ServiceRefusedJobError when the credentials or permissions are refused: no row can succeed.
        """
        attempts = 1
        unknown: ClassifiedError | None = None  # the last attempt that failed with its outcome unknown
        sent_at = [request.sent_at]
        try:
            try:
                # Most rows succeed at the first attempt, and tenacity's machinery is costly to build per
                # row. So the first attempt runs bare and tenacity takes over only after a failure worth
                # retrying: its attempt 1 replays that failure, so its stop, wait and logging decisions
                # are those of a row it ran from the start.
                contact_id = await self._attempt(request, sent_at)
            except Retry as first:
                unknown = first.error
                replay: Retry | None = first
                async for attempt in self._retrying(request):
                    with attempt:
                        if replay is not None:
                            failed, replay = replay, None
                            raise failed from failed.__cause__  # the same error, cause kept
                        attempts += 1
                        try:
                            contact_id = await self._attempt(request)
                        except Retry as again:
                            unknown = again.error
                            raise
        except Stopped:
            if unknown is None:
                return None  # nothing was sent: the row is simply not reached, and a re-run sends it
            # Sent, and stopped before its retry: the task may exist. Recorded as failed, the row keeps its
            # token and request hash in the ledger, so a re-run resolves that attempt, and an edited row is
            # held back instead of being sent under a new token as a second task.
            return self.outcome(
                request,
                Status.FAILED,
                attempts - 1,
                error_code=unknown.code,
                error_message=f"stopped before the next attempt; the last one failed: {unknown.message}",
                sent_at=sent_at[0],
            )
        except AttemptFailed as failed:
            status = Status.FAILED if isinstance(failed, Retry) else Status.REJECTED
            return self.outcome(
                request,
                status,
                attempts,
                error_code=failed.error.code,
                error_message=failed.error.message,
                sent_at=sent_at[0],
            )
        return self.outcome(request, Status.CREATED, attempts, contact_id=contact_id, sent_at=sent_at[0])

    def _retrying(self, request: TaskRequest) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=wait_random_exponential(
                multiplier=self.settings.backoff_initial, max=self.settings.backoff_max
            ),
            retry=retry_if_exception_type(Retry),
            sleep=self._sleep_counted,
            before_sleep=self._before_sleep(request),
            reraise=True,
        )
