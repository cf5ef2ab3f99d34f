"""What the pool has done so far, for progress displays and the job's summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from bulkload.pool.latency import LatencyHistogram


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
