"""Call latencies in constant memory: a log-bucketed histogram for percentiles and an EWMA for sizing.

A job of millions of rows keeps no list of latencies; the summary's percentiles come from the buckets,
and the in-flight gate is sized from the moving average.
"""

from __future__ import annotations

import bisect
import math


class LatencyHistogram:
    """Call latencies in log-spaced buckets (about 5% apart): percentiles in constant memory."""

    _BOUNDS: tuple[float, ...] = tuple(0.001 * 1.05**i for i in range(300))  # 1 ms .. about 36 minutes

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
