"""Circuit breakers: stop sending rows the service is sure to refuse, and stop a job that reaches no one.

`RoutingBreaker` watches each target rows are sent to (a routing id, or an instance): once the service
has refused N rows in a row for it with the same error code and created none since, the rest of the
rows using it are recorded `rejected` without being sent, and the rest of the file goes on. So that at
most N rows are spent finding that out, a target that has not proven itself (no row created yet, or
refusals since) has at most N minus its refusals in flight; a proven one is not held back.

`UnreachableBreaker` decides when a job whose calls have never been answered should stop: every attempt
failed to connect or timed out for `after` seconds, and none ever succeeded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bulkload.connect.classify import ClassifiedError, ErrorKind
from bulkload.connect.targets import Target, targets_of
from bulkload.pool.settings import PoolSettings
from bulkload.pool.signals import Stopped
from bulkload.records import RowOutcome, Status, TaskRequest


@dataclass(slots=True)
class _Streak:
    """One target's recent answers: the refusals in a row and the rows still out."""

    code: str = ""
    message: str = ""
    count: int = 0  # rows refused in a row with `code`, since the last row created
    in_flight: int = 0
    proven: bool = False  # some row using the target was created
    open: bool = False
    routes: set[Target] = field(default_factory=set)  # an instance's: the routing ids of the streak

    def created(self) -> None:
        self.code, self.message, self.count, self.open, self.proven = "", "", 0, False, True
        self.routes.clear()

    def refused(self, code: str, message: str, route: Target | None) -> None:
        # An instance's streak is of one error, word for word: refusals that name each routing id
        # (two unknown flows) are those ids' fault, not the instance's.
        if code != self.code or (route is not None and message != self.message):
            self.code, self.count = code, 0
            self.routes.clear()
        self.count += 1
        self.message = message
        if route is not None and len(self.routes) < 2:  # only "more than one" matters
            self.routes.add(route)


class RoutingBreaker:
    """Per target, stops sending once the service refused `threshold` rows in a row with the same code.

    An instance opens only when its streak is one error, word for word, over more than one routing id:
    one unknown flow (or two) must not stop the rows of the instance's other flows; each flow's own
    breaker stops its rows.
    """

    def __init__(self, threshold: int) -> None:
        if threshold < 1:
            raise ValueError("the breaker's threshold must be at least 1")
        self.threshold = threshold
        self.closed = False
        self._streaks: dict[Target, _Streak] = {}
        self._changed = asyncio.Event()

    @classmethod
    def from_settings(cls, settings: PoolSettings) -> RoutingBreaker | None:
        """The breaker `max_consecutive_rejects` asks for; None when it is 0 (off)."""
        return cls(settings.max_consecutive_rejects) if settings.max_consecutive_rejects else None

    def check(self, request: TaskRequest) -> ClassifiedError | None:
        """Why `request` is not to be sent (a target of it is open), or None."""
        for target in targets_of(request.params):
            streak = self._streaks.get(target)
            if streak is not None and streak.open:
                return self._refusal(streak)
        return None

    async def admit(self, request: TaskRequest) -> ClassifiedError | None:
        """None when `request` may be sent (then `record` its outcome), else why it is not sent.

        Waits while an unproven target of it has as many rows out as refusals may still come; raises
        Stopped once the breaker is closed.
        """
        streaks = [self._streak(target) for target in targets_of(request.params)]
        while True:
            if self.closed:
                raise Stopped
            refusal = self.check(request)
            if refusal is not None:
                return refusal
            if all(self._has_room(streak) for streak in streaks):
                break
            await self._changed.wait()
        for streak in streaks:
            streak.in_flight += 1
        return None

    def record(self, request: TaskRequest, outcome: RowOutcome | None) -> None:
        """The outcome of an admitted request (None: it was not sent after all, or the job stopped)."""
        targets = targets_of(request.params)
        route = next((target for target in targets if not target.is_instance), None)
        for target in targets:
            streak = self._streak(target)
            streak.in_flight = max(0, streak.in_flight - 1)
            if outcome is None:
                continue
            if outcome.status is Status.CREATED:
                streak.created()
            elif outcome.status is Status.REJECTED and outcome.attempts > 0:
                streak.refused(
                    outcome.error_code, outcome.error_message, route if target.is_instance else None
                )
                spans = not target.is_instance or len(streak.routes) > 1
                streak.open = streak.count >= self.threshold and spans
        self._wake()

    def close(self) -> None:
        """The job is stopping: every request waiting (and every later one) gets Stopped."""
        self.closed = True
        self._wake()

    def _streak(self, target: Target) -> _Streak:
        streak = self._streaks.get(target)
        if streak is None:
            streak = self._streaks[target] = _Streak()
        return streak

    def _has_room(self, streak: _Streak) -> bool:
        # With nothing out, one row may always go: an instance whose streak belongs to one routing id
        # never opens, and its other routing ids' rows must not wait for an answer that cannot come.
        if streak.in_flight == 0 or (streak.proven and streak.count == 0):
            return True
        return streak.in_flight + streak.count < self.threshold

    def _refusal(self, streak: _Streak) -> ClassifiedError:
        return ClassifiedError(
            ErrorKind.REJECTED,
            streak.code,
            f"not sent: the service refused the {self.threshold} rows before it with the same error "
            f"({streak.code}: {streak.message})",
        )

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


class UnreachableBreaker:
    """Whether the job should stop because the endpoint never answered: a pure decision, its clock injected.

    It trips when no call has succeeded in the job and every failure for `after` seconds was a
    connection error or a timeout; any answer of the service (even a refusal) starts the count again.
    The count starts when the first unanswered call was sent, not when it gave up: a call that times out
    has already spent its wait.
    """

    def __init__(self, after: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if not after > 0:
            raise ValueError("the unreachable time must be above 0 seconds")
        self.after = after
        self._clock = clock
        self.succeeded = False
        self.last: ClassifiedError | None = None  # the last connection error or timeout
        self._since: float | None = None  # when the current run of unanswered calls began
        self._answered: float | None = None  # when the service last answered

    @classmethod
    def from_settings(
        cls, settings: PoolSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> UnreachableBreaker | None:
        """The breaker `unreachable_after` asks for; None when it is 0 (off)."""
        return cls(settings.unreachable_after, clock=clock) if settings.unreachable_after else None

    def record_success(self) -> None:
        """A call succeeded: the endpoint is reachable, and the job never stops for this."""
        self.succeeded = True
        self._since = None

    def record_failure(self, error: ClassifiedError, *, sent_at: float | None = None) -> None:
        """A call failed: unanswered (connection error, timeout) or answered with an error.

        `sent_at` is when the failed call was sent, by the same clock (default: now).
        """
        now = self._clock()
        if not error.unanswered:
            self._since, self._answered = None, now
            return
        self.last = error
        if self._since is None:
            began = now if sent_at is None else sent_at
            # A call sent before the service's last answer is not part of the unanswered run.
            self._since = began if self._answered is None else max(began, self._answered)

    def should_stop(self) -> bool:
        """Whether every call for `after` seconds went unanswered, and none ever succeeded."""
        return not self.succeeded and self._since is not None and self._clock() - self._since >= self.after
