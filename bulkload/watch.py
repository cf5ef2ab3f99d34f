"""Progress for a caller's own display: a snapshot of a running job's figures, handed to a callback.

`load(..., progress=callback)` calls `callback(ProgressSnapshot)` every `progress_interval` seconds while
the job runs, and once more when it ends. The callback runs in the event loop, between calls: it should
return quickly (update a bar, log a line). If it raises, even KeyboardInterrupt, the job stops as on
Ctrl-C (no new row is sent, the calls in flight finish, the results are saved), and `load` raises that
exception then.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bulkload.errors import ConfigError
from bulkload.progress import JobProgress

DEFAULT_INTERVAL = 10.0
"""Seconds between progress reports, unless asked otherwise (`--progress-interval`, `progress_interval`)."""
MIN_INTERVAL = 0.1
"""The shortest interval between progress reports."""


@dataclass(frozen=True, kw_only=True)
class ProgressSnapshot:
    """A running job's figures at one moment: what a progress callback receives."""

    rows_done: int  # rows decided: created, invalid, rejected or failed (this run or carried over)
    total_rows: int | None  # None while unknown (data read only once, a large CSV still being counted)
    counts: Mapping[str, int]  # rows by status so far
    sent: int  # rows sent this run
    rate: float  # calls per second now
    elapsed: float  # seconds since the job started

    @property
    def fraction(self) -> float | None:
        """Rows done as a fraction of the total (None while the total is unknown)."""
        return self.rows_done / self.total_rows if self.total_rows else None


def snapshot(progress: JobProgress) -> ProgressSnapshot:
    """The figures of `progress` now."""
    return ProgressSnapshot(
        rows_done=progress.rows_done,
        total_rows=progress.total_rows,
        counts=dict(progress.counts),
        sent=progress.sent,
        rate=progress.current_rate(),
        elapsed=time.monotonic() - progress.started,
    )


def check_interval(seconds: float) -> float:
    """`seconds`, if it is an interval reports can be made at (ConfigError otherwise)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= MIN_INTERVAL:
        raise ConfigError(f"progress_interval must be at least {MIN_INTERVAL} seconds, not {seconds!r}")
    return float(seconds)


class ProgressReporter:
    """Hands snapshots of `progress` to `callback`; on the callback's error, calls `stop` and keeps it."""

    def __init__(
        self,
        progress: JobProgress,
        callback: Callable[[ProgressSnapshot], object],
        interval: float,
        stop: Callable[[], None],
    ) -> None:
        """Report `progress` every `interval` seconds once `run` is started."""
        self.progress = progress
        self.callback = callback
        self.interval = interval
        self.stop = stop
        self.error: BaseException | None = None

    async def run(self) -> None:
        """Report every `interval` seconds until cancelled or the callback fails."""
        while True:
            await asyncio.sleep(self.interval)
            if not self.report():
                return

    def report(self) -> bool:
        """Report once; False (and the job asked to stop) if the callback raised."""
        try:
            self.callback(snapshot(self.progress))
        except BaseException as exc:  # noqa: BLE001 - kept, and raised once the job has stopped
            self.error = exc
            self.stop()
            return False
        return True
