"""The worker pool: rate limited, adaptive, retrying calls (StartTaskContact, StopContact), one row at a time.

settings   PoolSettings: rate, burst, concurrency, attempts, backoff, timeouts
limiter    AdaptiveLimiter: the leaky bucket every attempt passes, held until the service answers
rate       RateController: AIMD of the limiter's rate on throttles, `--rate` as the ceiling
gate       InFlightGate: how many attempts may be out at once
latency    LatencyHistogram: call latencies in constant memory
stats      PoolStats: live counters for progress and the summary
operation  Operation: the call to make for a request, and what its answers mean; StartTask
sender     Sender: one request's attempts, retried with tenacity; RowSender: StartTaskContact's
breaker    RoutingBreaker, UnreachableBreaker: stop sending what keeps being refused, or reaches no one
signals    the control-flow exceptions that never leave the pool
workers    SendLoop: the workers that take prepared rows off a queue and send them
"""

from __future__ import annotations

from bulkload.pool.gate import InFlightGate
from bulkload.pool.latency import LatencyHistogram
from bulkload.pool.limiter import AdaptiveLimiter
from bulkload.pool.operation import Operation, StartTask
from bulkload.pool.rate import RateController
from bulkload.pool.sender import RowSender, Sender
from bulkload.pool.settings import PoolSettings
from bulkload.pool.stats import PoolStats

__all__ = [
    "AdaptiveLimiter",
    "InFlightGate",
    "LatencyHistogram",
    "Operation",
    "PoolSettings",
    "PoolStats",
    "RateController",
    "RowSender",
    "Sender",
    "StartTask",
]
