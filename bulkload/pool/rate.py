"""The pool's rate under congestion: additive increase, multiplicative decrease (AIMD) of the limiter.

Connect's StartTaskContact quota is shared by every client of the account, so `--rate` is a ceiling, not
a promise: a throttle cuts the rate and successes climb back towards the ceiling.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from bulkload.pool.limiter import AdaptiveLimiter

log = logging.getLogger(__package__)


class RateController:
    """Additive increase, multiplicative decrease of the pool's rate, with `--rate` as the ceiling.

    A throttle cuts the rate at most once per congestion event: only throttles of requests sent after
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
