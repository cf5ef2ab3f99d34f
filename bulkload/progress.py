"""What a job reports: live figures while it runs (`JobProgress`), and what it did (`JobSummary`).

Progress displays read `JobProgress` from another task; the CLI turns a `JobSummary` into output and an
exit code. Neither prints anything; row events are logged here, with the row and key, never the content.
"""

from __future__ import annotations

import dataclasses
import logging
import shlex
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bulkload.error_groups import ErrorGroups
from bulkload.pool import PoolStats
from bulkload.records import VALID, RowOutcome, Status

# The logger's name is part of the JSON log format (its "logger" field), which log readers filter on.
log = logging.getLogger("bulkload.pipeline")

_TOP_ERRORS = 10  # error groups in the summary
_PERCENTILES = (50, 95, 99)
STALE_AFTER: Final = 24 * 3600.0
"""Resolving an attempt older than this (seconds) is counted: the service may have forgotten its token."""


@dataclass(frozen=True)
class StaleUnknownOutcomes:
    """Unknown outcomes a run resolved more than a day after their first attempt: how many, the oldest."""

    rows: int
    oldest_hours: float

    def warning(self) -> str:
        """What such a resolution risks, for the log and the summary."""
        return (
            f"{self.rows} rows resolved an unknown outcome whose attempt was made more than "
            f"{STALE_AFTER / 3600:.0f} hours ago "
            f"(the oldest {self.oldest_hours:.0f} hours ago): the service remembers a ClientToken for a "
            "limited time (not documented for StartTaskContact; 7 days for the other Connect start-contact "
            "APIs), so a task made by such an attempt may no longer be recognised, and the row may have "
            "been created twice"
        )


@dataclass(frozen=True, kw_only=True)
class JobSummary:
    """What a finished (or stopped) job did; `exit_code` follows the CLI contract."""

    command: str
    job_id: str
    input: str
    results: str | None
    total_rows: int
    counts: dict[str, int]
    sent: int
    carried_over: int
    attempts: int
    retries: int
    throttles: int
    rate_limit: float
    achieved_rate: float | None
    latency_ms: dict[str, float | None]
    elapsed_seconds: float
    top_errors: list[dict[str, Any]]
    interrupted: bool
    not_reached: bool
    changed_after_created: int = (
        0  # created earlier, edited since, not sent again (see the summary's warning)
    )
    stale_unknown_outcomes: StaleUnknownOutcomes | None = None  # see its warning
    emulator: bool = False  # run against the built-in emulator: its retry needs --emulator too
    # Set when the job stopped before the end of its input: the rows it read. `total_rows` is then the
    # input's row count as its reader counts it, or (`total_rows_known` false) only the rows read.
    rows_read: int | None = None
    total_rows_known: bool = True
    key_column: str | None = None  # --key: rows are identified by it, else by their row numbers
    limit: int | None = None  # the run's --limit: at most this many rows not created yet were taken
    limit_reached: bool = False  # the limit stopped the run before the end of the input
    input_rows: int | None = None  # the rows in the input, when known (a limited run takes fewer)

    @property
    def exit_code(self) -> int:
        """0 every row taken created (or valid, for validate); 1 some rows not; 130 interrupted.

        A run stopped by its --limit exits 0 when every row it took was created.
        """
        if self.interrupted:
            return 130
        ok = Status.CREATED.value if self.command != "validate" else VALID
        taken = sum(self.counts.values()) if self.limit_reached else self.total_rows
        return 0 if self.counts.get(ok, 0) == taken else 1

    @property
    def retry_command(self) -> str | None:
        """The exact command that re-runs the rows not created; None when there are none to re-run.

        An interrupted job is continued by its own command instead, which the caller knows.
        """
        if self.command == "validate" or self.interrupted or self.exit_code == 0 or not self.results:
            return None
        return f"bulkload retry {shlex.quote(self.results)}" + (" --emulator" if self.emulator else "")

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data, for `--summary-json`."""
        body = dataclasses.asdict(self)
        body["exit_code"] = self.exit_code
        body["retry_command"] = self.retry_command
        return body


@dataclass
class JobProgress:
    """Live figures of a running job, read by progress displays."""

    STATUSES: ClassVar[tuple[str, ...]] = ("created", "invalid", "rejected", "failed")  # what displays count

    total_rows: int | None = None
    rows_done: int = 0
    carried_over: int = 0
    changed_after_created: int = 0  # created rows whose content differs now: never sent again
    sent: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    pool: PoolStats | None = None
    rate_limit: float = 0.0
    current_rate: Callable[[], float] = lambda: 0.0
    in_flight: Callable[[], int] = lambda: 0
    errors: ErrorGroups = field(default_factory=ErrorGroups)
    stale_unknown: int = 0  # unknown outcomes resolved more than a day after their first attempt
    stale_oldest: float = 0.0  # the oldest such attempt's age, seconds

    def record(self, outcome: RowOutcome) -> None:
        """Count one decided outcome (and log it: the row and key, never the row's content)."""
        extra = {"row": outcome.row, "key": outcome.key, "event": "outcome"}
        if outcome.status is Status.CREATED:
            log.debug(
                "row %d (key %s): created %s", outcome.row, outcome.key, outcome.contact_id, extra=extra
            )
        else:
            log.info(
                "row %d (key %s): %s %s: %s",
                outcome.row,
                outcome.key,
                outcome.status.value,
                outcome.error_code,
                outcome.error_message,
                extra=extra,
            )
        self.tally(
            outcome.status.value,
            outcome.row,
            outcome.error_code,
            outcome.error_message,
            grouped=outcome.status is not Status.CREATED,
        )

    def tally(self, status: str, row: int, code: str, message: str, *, grouped: bool) -> None:
        """Count one row's outcome; `grouped`: also among the error groups (status and code)."""
        self.rows_done += 1
        self.counts[status] += 1
        if grouped:
            self.errors.add_row(status, row, code, message)

    def record_valid(self) -> None:
        """Count one row that `validate` found valid."""
        self.rows_done += 1
        self.counts[VALID] += 1

    def record_changed_after_created(self, row: int, key: str) -> None:
        """Count (and log) a created row whose content changed since: it is not sent again."""
        self.changed_after_created += 1
        log.warning(
            "row %d (key %s) changed after its task was created; it is not sent again",
            row,
            key,
            extra={"row": row, "key": key},
        )

    def record_stale_unknown(self, row: int, key: str, age: float) -> None:
        """Count (and log) an unknown outcome resolved `age` seconds after its first attempt."""
        self.stale_unknown += 1
        self.stale_oldest = max(self.stale_oldest, age)
        log.info(
            "row %d (key %s): resolving an attempt made %.0f hours ago with its token",
            row,
            key,
            age / 3600,
            extra={"row": row, "key": key},
        )

    def summarise(
        self,
        *,
        command: str,
        job_id: str,
        input_path: str,
        results: str | None,
        total_rows: int,
        started: float,
        interrupted: bool,
        input_rows: int | None = None,
        emulator: bool = False,
        key_column: str | None = None,
        limit: int | None = None,
        limit_reached: bool = False,
    ) -> JobSummary:
        """The summary of the job these figures describe, `started` at that `time.monotonic()`.

        `total_rows` is the rows the job read; `input_rows` the input's row count, if its reader knows
        it, which is the total of a job stopped before the end of its input. Logs the warning of stale
        unknown outcomes, if the job resolved any.
        """
        rows_read = total_rows if interrupted else None
        if rows_read is not None and input_rows is not None:
            total_rows = max(input_rows, rows_read)
        stats = self.pool
        stale = None
        if self.stale_unknown:
            stale = StaleUnknownOutcomes(self.stale_unknown, round(self.stale_oldest / 3600, 1))
            log.warning("%s", stale.warning())
        elapsed = time.monotonic() - started
        latency = stats.latency if stats else None
        achieved = None
        if stats and stats.attempts and elapsed > 0:
            achieved = round(stats.attempts / elapsed, 3)
        return JobSummary(
            command=command,
            job_id=job_id,
            input=input_path,
            results=results,
            total_rows=total_rows,
            counts=dict(self.counts),
            sent=self.sent,
            carried_over=self.carried_over,
            attempts=stats.attempts if stats else 0,
            retries=stats.retries if stats else 0,
            throttles=stats.throttles if stats else 0,
            rate_limit=self.rate_limit,
            achieved_rate=achieved,
            latency_ms={
                f"p{p}": (
                    round(v * 1000, 1)
                    if latency is not None and (v := latency.percentile(p)) is not None
                    else None
                )
                for p in _PERCENTILES
            },
            elapsed_seconds=round(elapsed, 3),
            top_errors=[group.as_dict() for group in self.errors.top(_TOP_ERRORS)],
            interrupted=interrupted,
            not_reached=interrupted,
            changed_after_created=self.changed_after_created,
            emulator=emulator,
            rows_read=rows_read,
            total_rows_known=rows_read is None or input_rows is not None,
            key_column=key_column,
            limit=limit,
            limit_reached=limit_reached,
            input_rows=input_rows if input_rows is not None else self.total_rows,
            stale_unknown_outcomes=stale,
        )
