"""The worker pool: rate limited, adaptive, retrying calls of StartTaskContact, one row at a time.

Every attempt, retries included, passes the same gates in the same order:
    in-flight gate (enough concurrency to fill the rate at the observed latency, no more)
    -> rate limiter (aiolimiter leaky bucket; its drip rate is cut on throttles and climbs back: AIMD)
    -> the call, with the row's own ClientToken
tenacity owns the retries: throttles, 5xx, timeouts and dropped connections are retried with exponential
backoff and full jitter up to `max_attempts`; 4xx are never retried.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from bulkload.connect.classify import ClassifiedError, ErrorKind, classify_error
from bulkload.records import RowOutcome, Status, TaskRequest

log = logging.getLogger("bulkload.pool")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class PoolSettings:
    """How hard to drive the service. Defaults are Connect's default StartTaskContact quota (2/s, burst 5)."""

    rate: float = 2.0
    burst: int = 5
    concurrency: int | None = None  # None: derived from the rate and the observed latency
    max_attempts: int = 8
    adaptive: bool = True  # cut the rate on throttles and climb back (the quota is shared per account)
    backoff_initial: float = 0.5
    backoff_max: float = 20.0
    call_timeout: float = 65.0  # a hard stop above botocore's own connect + read timeouts

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError("rate must be above 0 requests per second")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")
        if self.max_attempts < 1:
            raise ValueError("max attempts must be at least 1")
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")

    @property
    def max_concurrency(self) -> int:
        """The most calls ever in flight: the override, or enough for the full rate at 10 s latency."""
        if self.concurrency is not None:
            return self.concurrency
        return max(8, min(1000, math.ceil(self.rate * 10) + self.burst))


class AdaptiveLimiter(AsyncLimiter):
    """An aiolimiter leaky bucket whose drip rate can change while tasks wait on it.

    It holds its level (no drip) until `start_dripping()`: the service's bucket is full until our first
    request reaches it, so drip time counted before that would let a compressed burst through on top of
    the full burst. The pool starts the drip at the first answer, the first proof the service has seen us.
    """

    def __init__(self, rate: float, capacity: float) -> None:
        super().__init__(capacity, capacity / rate)
        self.dripping = False
        self.closed = False
        self._turn = asyncio.Lock()

    def close(self) -> None:
        """The job is stopping: every waiter (and every later caller) gets _Stopped at once."""
        self.closed = True
        for _amount, _count, waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def has_capacity(self, amount: float = 1) -> bool:
        # Closed: let aiolimiter's wait loop end, so that acquire() can raise _Stopped.
        return self.closed or super().has_capacity(amount)

    def start_dripping(self) -> None:
        """Let the level drip from now on (idempotent)."""
        if not self.dripping:
            self._leak()  # the held time does not count
            self.dripping = True
            self._wake_next()

    def _leak(self) -> None:
        if self.dripping:
            super()._leak()
        else:
            self._last_check = self._loop.time()

    def _wake_next(self, *args: object) -> None:
        if not self.dripping and not self.has_capacity():
            # No timer while held: nothing frees capacity until start_dripping() wakes the next waiter.
            handle, self._waker_handle = self._waker_handle, None
            if handle is not None:
                handle.cancel()
            return
        super()._wake_next(*args)

    async def acquire(self, amount: float = 1) -> None:
        """Acquire capacity in arrival order.

        aiolimiter lets a newcomer take freed capacity ahead of the waiter it just woke, and the woken
        waiter then queues again at the back: under contention one row can wait for seconds while later
        rows pass it, holding back the in-order results. asyncio.Lock hands out turns first come, first
        served, so only the head of the line waits on the bucket.
        """
        async with self._turn:
            if not self.closed:
                await super().acquire(amount)
            if self.closed:
                raise _Stopped

    @property
    def rate(self) -> float:
        """Acquisitions per second once the burst is spent."""
        return self._rate_per_sec

    def set_rate(self, rate: float) -> None:
        """Change the drip rate; capacity already leaked at the old rate is kept."""
        self._leak()
        self._rate_per_sec = rate
        self.time_period = self.max_rate / rate
        self._wake_next()  # the next waiter's wake-up time depends on the rate

    def drain(self) -> None:
        """Spend the burst: after a throttle the service's bucket is empty, so ours should be too."""
        self._leak()
        self._level = max(self._level, self.max_rate - 1)


class RateController:
    """Additive increase, multiplicative decrease of the pool's rate, with `--rate` as the ceiling.

    A throttle halves the rate at most once per congestion event: only throttles of requests sent after
    the last cut count (the same rule TCP uses), so a volley of 429s from one event cuts once.
    """

    DECREASE = 0.7  # the factor botocore's adaptive mode (CUBIC) also uses
    FLOOR_FRACTION = 0.02

    def __init__(
        self, limiter: AdaptiveLimiter, ceiling: float, *, adaptive: bool, clock: Callable[[], float]
    ):
        self.limiter = limiter
        self.ceiling = ceiling
        self.adaptive = adaptive
        self._clock = clock
        self._last_cut = -math.inf
        self._floor = max(0.05, ceiling * self.FLOOR_FRACTION)
        # Climb back to the ceiling from half of it in about 10 s of successes.
        self._step_per_second = max(ceiling / 20, 0.1)
        self.cuts = 0

    @property
    def rate(self) -> float:
        """The rate the pool sends at now."""
        return self.limiter.rate

    def throttled(self, sent_at: float) -> None:
        """A request sent at `sent_at` was throttled."""
        self.limiter.drain()
        if not self.adaptive or sent_at <= self._last_cut:
            return
        self._last_cut = self._clock()
        self.cuts += 1
        new_rate = max(self._floor, self.limiter.rate * self.DECREASE)
        log.info("throttled by the service: rate %.2f/s -> %.2f/s", self.limiter.rate, new_rate)
        self.limiter.set_rate(new_rate)

    def succeeded(self) -> None:
        """A call went through: creep back towards the ceiling (about `step` per second of successes)."""
        rate = self.limiter.rate
        if self.adaptive and rate < self.ceiling:
            self.limiter.set_rate(min(self.ceiling, rate + self._step_per_second / rate))


class InFlightGate:
    """A first-come-first-served semaphore whose size can change: rate x latency with headroom, in [4, max].

    Strictly FIFO: a newcomer never takes a freed slot ahead of a row already waiting (asyncio.Condition
    would let it, and a row could then starve for seconds while later rows pass it).
    """

    def __init__(self, maximum: int, initial: int) -> None:
        self.maximum = maximum
        self.limit = min(maximum, max(1, initial))
        self.in_flight = 0
        self.closed = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    def close(self) -> None:
        """The job is stopping: every waiter (and every later caller) gets _Stopped at once."""
        self.closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(_Stopped())

    async def __aenter__(self) -> None:
        if self.closed:
            raise _Stopped
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the releaser counts us in before waking us
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # granted and cancelled in the same instant: hand the slot on
            elif waiter in self._waiters:  # _grant may already have popped and skipped it
                self._waiters.remove(waiter)
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        self.in_flight -= 1
        self._grant()

    def _grant(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)

    def resize(self, limit: int) -> None:
        """Change the size; a larger gate admits waiters at once, a smaller one as calls finish."""
        self.limit = min(self.maximum, max(4, limit))
        self._grant()


class LatencyHistogram:
    """Call latencies in log-spaced buckets (about 5% apart): percentiles in constant memory."""

    _BOUNDS: tuple[float, ...] = tuple(0.001 * 1.05**i for i in range(300))  # 1 ms .. ~2.2 million s

    def __init__(self) -> None:
        self.counts = [0] * (len(self._BOUNDS) + 1)
        self.total = 0
        self.ewma: float | None = None

    def add(self, seconds: float) -> None:
        """Record one call's latency."""
        self.counts[bisect.bisect_left(self._BOUNDS, seconds)] += 1
        self.total += 1
        self.ewma = seconds if self.ewma is None else 0.9 * self.ewma + 0.1 * seconds

    def percentile(self, p: float) -> float | None:
        """The latency below which `p` percent of calls finished (upper bucket bound), or None."""
        if not self.total:
            return None
        rank = math.ceil(self.total * p / 100)
        seen = 0
        for i, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return self._BOUNDS[min(i, len(self._BOUNDS) - 1)]
        return self._BOUNDS[-1]  # pragma: no cover - unreachable: ranks never exceed the total


@dataclass
class PoolStats:
    """Live counters for progress displays and the summary."""

    attempts: int = 0
    retries: int = 0
    throttles: int = 0
    retrying: int = 0  # rows waiting out a backoff right now
    backoff_until: float = 0.0  # monotonic time the longest current backoff ends
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    errors: dict[str, int] = field(default_factory=dict)  # retried error codes and how often


class _AttemptFailed(Exception):
    """One attempt failed; carries the classification so tenacity can decide."""

    def __init__(self, error: ClassifiedError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class _Retry(_AttemptFailed):
    """A failure worth another attempt."""


class _Stopped(Exception):
    """The job is stopping: no new attempt starts."""


class ServiceRefusedJob(Exception):
    """The service refused the credentials or permissions: every call would fail the same way."""

    def __init__(self, error: ClassifiedError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class RowSender:
    """Sends one row's request until it is created, refused, or out of attempts."""

    def __init__(
        self,
        client: Any,
        settings: PoolSettings,
        *,
        job_id: str,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self.job_id = job_id
        self.stats = PoolStats()
        self._sleep = sleep
        self._clock = clock
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

        Rows queued at the in-flight gate or the rate limiter return None at once: waiting for their
        turn at the rate only to give up then made a Ctrl-C take seconds (a row per 1/rate seconds).
        """
        self.stopping = True
        self.gate.close()
        self.limiter.close()

    def _resize_gate(self) -> None:
        if self.settings.concurrency is not None or self.stats.latency.ewma is None:
            return
        # Little's law: in flight = rate x latency. Twice that absorbs latency spikes.
        self.gate.resize(math.ceil(self.rate.rate * self.stats.latency.ewma * 2) + self.settings.burst)

    async def _attempt(self, request: TaskRequest) -> str:
        async with self.gate:
            await self.limiter.acquire()
            # Checked after the waits, not before: a stop that arrives while this attempt queues for the
            # gate or the limiter must still keep it from being sent.
            if self.stopping:
                raise _Stopped
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
                    raise ServiceRefusedJob(error) from exc
                if error.kind is ErrorKind.REJECTED:
                    raise _AttemptFailed(error) from exc
                self.stats.errors[error.code] = self.stats.errors.get(error.code, 0) + 1
                raise _Retry(error) from exc
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
        """The outcome of `request` with this sender's job id and the request's token."""
        return RowOutcome(
            row=request.row,
            line=request.line,
            key=request.key,
            status=status,
            job_id=self.job_id,
            client_token=request.client_token,
            request_hash=request.request_hash,
            attempts=attempts,
            **fields,
        )

    async def send(self, request: TaskRequest) -> RowOutcome | None:
        """Create the row's task: the outcome says created, rejected or failed; None if the job stopped first.

        Raises ServiceRefusedJob when the credentials or permissions are refused: no row can succeed.
        """
        attempts = 1
        unknown: ClassifiedError | None = None  # the last attempt that failed with its outcome unknown
        try:
            try:
                # Most rows succeed at the first attempt, and building tenacity's machinery for each of
                # them cost as much CPU as the rest of bulkload's per-row work. So the first attempt runs
                # bare and tenacity takes over only after a failure worth retrying: its attempt 1 replays
                # that failure, so its stop, wait and logging decisions are those of a row it ran from the
                # start.
                contact_id = await self._attempt(request)
            except _Retry as first:
                unknown = first.error
                replay: _Retry | None = first
                async for attempt in self._retrying(request):
                    with attempt:
                        if replay is not None:
                            failed, replay = replay, None
                            raise failed from failed.__cause__  # the same error, cause kept
                        attempts += 1
                        try:
                            contact_id = await self._attempt(request)
                        except _Retry as again:
                            unknown = again.error
                            raise
        except _Stopped:
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
            )
        except _AttemptFailed as failed:
            status = Status.FAILED if isinstance(failed, _Retry) else Status.REJECTED
            return self.outcome(
                request, status, attempts, error_code=failed.error.code, error_message=failed.error.message
            )
        return self.outcome(request, Status.CREATED, attempts, contact_id=contact_id)

    def _retrying(self, request: TaskRequest) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=wait_random_exponential(
                multiplier=self.settings.backoff_initial, max=self.settings.backoff_max
            ),
            retry=retry_if_exception_type(_Retry),
            sleep=self._sleep_counted,
            before_sleep=self._before_sleep(request),
            reraise=True,
        )
