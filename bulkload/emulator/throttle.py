"""The token bucket that throttles StartTaskContact like the account-wide request quota does."""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    """`rate` tokens a second, at most `burst` held; a request takes one or is throttled.

    Time comes from `clock` (seconds, any origin) so tests move time by hand instead of sleeping.
    Not thread-safe by itself: `EmulatorState` serialises access.
    """

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._tokens = float(burst)
        self._last = clock()

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self._rate

    @property
    def burst(self) -> int:
        """The most tokens the bucket holds."""
        return self._burst

    def available(self) -> float:
        """How many tokens the bucket holds now."""
        self._refill()
        return self._tokens

    def try_acquire(self) -> bool:
        """Take one token if there is one; a refused call takes nothing."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def reconfigure(self, rate: float, burst: int) -> None:
        """Change the quota mid-run; tokens already held are kept up to the new burst."""
        self._refill()
        self._rate = rate
        self._burst = burst
        self._tokens = min(self._tokens, float(burst))

    def refill_fully(self) -> None:
        """Start again with a full bucket (after a reset)."""
        self._tokens = float(self._burst)
        self._last = self._clock()

    def _refill(self) -> None:
        now = self._clock()
        # max(): a wall clock stepped backwards must not drain the bucket.
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(float(self._burst), self._tokens + elapsed * self._rate)
