"""How hard the pool drives the service: rate, burst, concurrency, attempts, backoff and timeouts."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
    # The breakers (pool.breaker): rows refused in a row with one error before the rest using the same
    # routing id or instance are not sent, and seconds of nothing but unanswered calls before the job
    # stops. 0 switches either off.
    max_consecutive_rejects: int = 20
    unreachable_after: float = 30.0

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError("rate must be above 0 requests per second")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")
        if self.max_attempts < 1:
            raise ValueError("max attempts must be at least 1")
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.max_consecutive_rejects < 0:
            raise ValueError("max consecutive rejects must be at least 0 (0: never stop sending)")
        if not self.unreachable_after >= 0:
            raise ValueError("the unreachable time must be at least 0 seconds (0: never stop)")

    @property
    def max_concurrency(self) -> int:
        """The most calls ever in flight: the override, or enough for the full rate at 10 s latency."""
        if self.concurrency is not None:
            return self.concurrency
        return max(8, min(1000, math.ceil(self.rate * 10) + self.burst))
