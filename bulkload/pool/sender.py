"""One request's attempts: gated, rate limited, classified, and retried with tenacity.

Every attempt, retries included, passes the same gates in the same order:
    in-flight gate (enough concurrency to fill the rate at the observed latency, no more)
    -> rate limiter (aiolimiter leaky bucket; its drip rate is cut on throttles and climbs back: AIMD)
    -> (the first attempt only, when given) `before_first`: for a row, the record of sends, so the row is
       on disk as sent before it leaves
    -> the operation's call (StartTaskContact with the row's own ClientToken, say)
tenacity owns the retries: throttles, 5xx, timeouts and dropped connections are retried with exponential
backoff and full jitter up to `max_attempts`; 4xx are never retried. What the answers mean is the
operation's to say (see `pool.operation`).

With breakers (pool.breaker), a row whose routing id or instance the service keeps refusing is not sent
but rejected at once, and a job whose calls are never answered stops with EndpointUnreachableError.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from bulkload.connect.classify import ClassifiedError, ErrorKind, classify_error, unreachable_error
from bulkload.errors import EndpointUnreachableError, ServiceRefusedJobError
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.pool.gate import InFlightGate
from bulkload.pool.limiter import AdaptiveLimiter
from bulkload.pool.operation import Operation, OutcomeT, RequestT, StartTask
from bulkload.pool.rate import RateController
from bulkload.pool.settings import PoolSettings
from bulkload.pool.signals import AttemptFailed, Retry, Stopped, Unreachable
from bulkload.pool.stats import PoolStats
from bulkload.records import RowOutcome, Status, TaskRequest

log = logging.getLogger(__package__)

Sleep = Callable[[float], Awaitable[None]]
RecordSend = Callable[[TaskRequest], Awaitable[str]]
"""Records a row as sent, before its first request leaves; returns the time of its first attempt."""


class Sender(Generic[RequestT, OutcomeT]):
    """Sends one request of `operation` until it succeeds, is refused, or is out of attempts.

    `unreachable` is optional (None: the job never stops on its own when no call is answered); see
    pool.breaker. `before_first`, if given, is awaited before a request's first attempt leaves (after the
    gate, the limiter and the stop check); retries do not repeat it.
    """

    def __init__(
        self,
        client: Any,
        settings: PoolSettings,
        operation: Operation[RequestT, OutcomeT],
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        unreachable: UnreachableBreaker | None = None,
        before_first: Callable[[RequestT], Awaitable[object]] | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.operation = operation
        self.unreachable = unreachable
        self.stats = PoolStats()
        self._sleep = sleep
        self._clock = clock
        self._before_first = before_first
        # Keep one request of the burst in reserve: the service's bucket then always has a token to
        # absorb network jitter, instead of turning every early arrival into a throttle.
        capacity = max(1, settings.burst - 1)
        self.limiter = AdaptiveLimiter(settings.rate, capacity)
        self.rate = RateController(self.limiter, settings.rate, adaptive=settings.adaptive, clock=clock)
        self.gate = InFlightGate(
            settings.max_concurrency, initial=max(4, math.ceil(settings.rate) + settings.burst)
        )
        self.stopping = False  # see stop()
        self._deadlines: set[asyncio.Timeout] = set()  # the calls in flight, to abandon (see send)

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

    async def _attempt(self, request: RequestT, *, first: bool = False) -> Any:
        async with self.gate:
            await self.limiter.acquire()
            # Checked after the waits, not before: a stop that arrives while this attempt queues for the
            # gate or the limiter must still keep it from being sent.
            if self.stopping:
                raise Stopped
            if first and self._before_first is not None:
                await self._before_first(request)
            sent_at = self._clock()
            self.stats.attempts += 1
            try:
                async with asyncio.timeout(self.settings.call_timeout) as deadline:
                    self._deadlines.add(deadline)
                    try:
                        response = await self.operation.call(self.client, request)
                    finally:
                        self._deadlines.discard(deadline)
            except Exception as exc:  # every failure is classified in one place
                self.limiter.start_dripping()
                error = classify_error(exc)
                if error.kind is ErrorKind.THROTTLED:
                    self.stats.throttles += 1
                    self.rate.throttled(sent_at)
                if self.unreachable is not None:
                    self.unreachable.record_failure(error, sent_at=sent_at)
                    if self.unreachable.should_stop():
                        raise Unreachable(error, self.unreachable.after) from exc
                if error.kind is ErrorKind.FATAL:
                    raise ServiceRefusedJobError(error) from exc
                if error.kind is ErrorKind.REJECTED:
                    raise AttemptFailed(error) from exc
                self.stats.errors[error.code] = self.stats.errors.get(error.code, 0) + 1
                raise Retry(error) from exc
            self.limiter.start_dripping()
            self.stats.latency.add(self._clock() - sent_at)
            if self.unreachable is not None:
                self.unreachable.record_success()
        self.rate.succeeded()
        self._resize_gate()
        return response

    def _before_sleep(self, request: RequestT) -> Callable[[RetryCallState], None]:
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

    async def send(self, request: RequestT) -> OutcomeT | None:
        """The request's outcome (see `Operation`); None if the job stopped before it was sent.

        Raises ServiceRefusedJobError when the credentials or permissions are refused: no row can succeed;
        EndpointUnreachableError, carrying the request's outcome, when no call was ever answered.
        """
        attempts = 1
        unknown: ClassifiedError | None = None  # the last attempt that failed with its outcome unknown
        took_effect: ClassifiedError | None = None  # the last failure that may have taken effect
        try:
            try:
                # Most rows succeed at the first attempt, and tenacity's machinery is costly to build per
                # row. So the first attempt runs bare and tenacity takes over only after a failure worth
                # retrying: its attempt 1 replays that failure, so its stop, wait and logging decisions
                # are those of a row it ran from the start.
                response = await self._attempt(request, first=True)
            except Retry as first:
                unknown = first.error
                if first.error.kind is not ErrorKind.THROTTLED:  # a throttled call did nothing
                    took_effect = first.error
                replay: Retry | None = first
                async for attempt in self._retrying(request):
                    with attempt:
                        if replay is not None:
                            failed, replay = replay, None
                            raise failed from failed.__cause__  # the same error, cause kept
                        attempts += 1
                        try:
                            response = await self._attempt(request)
                        except Retry as again:
                            unknown = again.error
                            if again.error.kind is not ErrorKind.THROTTLED:
                                took_effect = again.error
                            raise
        except Stopped:
            if unknown is None:
                return None  # nothing was sent: the request is simply not reached, and a re-run sends it
            # Sent, and stopped before its retry: the call may have taken effect.
            return self.operation.gave_up(request, unknown, attempts - 1, stopped=True)
        except AttemptFailed as failed:
            if isinstance(failed, Retry):
                return self.operation.gave_up(request, failed.error, attempts, stopped=False)
            return self.operation.refused(request, failed.error, attempts, took_effect)
        except Unreachable as lost:
            self.stop()  # now: no other request starts an attempt
            # Nor waits for an answer that has not come for so long: the calls in flight end now as
            # timed out, and their requests are recorded as given up, like this one.
            self._abandon_calls()
            endpoint = getattr(getattr(self.client, "meta", None), "endpoint_url", None)
            stopping = unreachable_error(endpoint, lost.error, within=lost.within)
            # Sent, maybe: recorded as given up (a row keeps its token), as one stopped before its retry is.
            stopping.outcome = self.operation.gave_up(request, lost.error, attempts, stopped=True)
            raise stopping from lost
        return self.operation.answered(request, response, attempts)

    def _abandon_calls(self) -> None:
        now = asyncio.get_running_loop().time()
        abandoned, self._deadlines = self._deadlines, set()
        for deadline in abandoned:
            if not deadline.expired():
                deadline.reschedule(now)

    def _retrying(self, request: RequestT) -> AsyncRetrying:
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


class RowSender(Sender[TaskRequest, RowOutcome]):
    """Sends one row's StartTaskContact request until it is created, refused, or out of attempts.

    `breaker` is optional (None: every row is sent); see pool.breaker. `record` (the ledger's record of
    sends) is awaited before each row's first attempt is handed to the client; its time goes into the
    outcome's `sent_at`. Retries reuse the token, so they need no record.
    """

    def __init__(
        self,
        client: Any,
        settings: PoolSettings,
        *,
        job_id: str,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        breaker: RoutingBreaker | None = None,
        unreachable: UnreachableBreaker | None = None,
        record: RecordSend | None = None,
    ) -> None:
        self.start_task = StartTask(job_id)
        super().__init__(
            client,
            settings,
            self.start_task,
            sleep=sleep,
            clock=clock,
            unreachable=unreachable,
            before_first=None if record is None else functools.partial(self._record_send, record),
        )
        self.job_id = job_id
        self.breaker = breaker
        self._sent_at: dict[int, str] = {}  # by id(request): the recorded time of each row in flight

    async def _record_send(self, record: RecordSend, request: TaskRequest) -> None:
        self._sent_at[id(request)] = await record(request)

    async def _send_recorded(self, request: TaskRequest) -> RowOutcome | None:
        """`Sender.send`, its outcome carrying the time the row's first attempt was recorded as sent."""
        sent_at = ""
        try:
            outcome = await super().send(request)
        except EndpointUnreachableError as stopping:
            sent_at = self._sent_at.pop(id(request), "")
            if sent_at and isinstance(stopping.outcome, RowOutcome):
                stopping.outcome = dataclasses.replace(stopping.outcome, sent_at=sent_at)
            raise
        finally:
            sent_at = self._sent_at.pop(id(request), sent_at)
        if sent_at and outcome is not None:
            outcome = dataclasses.replace(outcome, sent_at=sent_at)
        return outcome

    def stop(self) -> None:
        """As `Sender.stop`; rows held back by the breaker are released too."""
        super().stop()
        if self.breaker is not None:
            self.breaker.close()

    async def send(self, request: TaskRequest) -> RowOutcome | None:
        """Create the row's task: created, rejected or failed; None if the job stopped first.

        A row whose routing id or instance the breaker holds open is rejected without being sent.
        """
        if self.breaker is None:
            return await self._send_recorded(request)
        try:
            refusal = await self.breaker.admit(request)
        except Stopped:
            return None
        if refusal is not None:
            return self.start_task.outcome(
                request, Status.REJECTED, 0, error_code=refusal.code, error_message=refusal.message
            )
        outcome = None
        try:
            outcome = await self._send_recorded(request)
        finally:
            self.breaker.record(request, outcome)
        return outcome
