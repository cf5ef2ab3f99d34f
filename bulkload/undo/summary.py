"""What a stop reports: live figures while it runs (`StopProgress`), and what it did (`StopSummary`).

The figures are the run's own (`progress.JobProgress`), counting the stop's statuses, so the same progress
displays show them. Neither prints anything; each task's outcome is logged with its row and key.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from bulkload.progress import JobProgress
from bulkload.undo.plan import StopPlan
from bulkload.undo.records import OUTCOMES, StopOutcome, StopStatus

log = logging.getLogger("bulkload.stop")


@dataclass(frozen=True, kw_only=True)
class StopSummary:
    """What a stop did (or, with `dry_run`, would do); `exit_code` follows the CLI contract.

    `to_stop` counts the tasks this stop set out to stop; `counts` their outcomes by status. Of the
    `selected` created rows, `done_earlier` were stopped or ended by an earlier stop and `not_scheduled`
    left alone by `only_scheduled`; `without_task` keys named rows that created no task.
    """

    results: str
    ledger: str
    to_stop: int
    selected: int
    done_earlier: int
    not_scheduled: int
    without_task: int
    instances: dict[str, int]
    counts: dict[str, int]
    sent: int
    attempts: int
    retries: int
    throttles: int
    rate_limit: float
    achieved_rate: float | None
    latency_ms: dict[str, float | None]
    elapsed_seconds: float
    top_errors: list[dict[str, Any]]
    interrupted: bool
    dry_run: bool = False
    emulator: bool = False  # against the built-in emulator, which knows no task of an earlier run

    @property
    def ended(self) -> int:
        """Tasks this stop found over: stopped, or already ended."""
        return self.counts.get(StopStatus.STOPPED.value, 0) + self.counts.get(
            StopStatus.ALREADY_ENDED.value, 0
        )

    @property
    def not_reached(self) -> int:
        """Tasks to stop that got no outcome: a dry run, or an interrupted stop."""
        return self.to_stop - sum(self.counts.values())

    @property
    def exit_code(self) -> int:
        """0 every task to stop has ended (or a dry run); 1 some have not; 130 interrupted."""
        if self.interrupted:
            return 130
        if self.dry_run:
            return 0
        return 0 if self.ended == self.to_stop else 1

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data, for `--summary-json`."""
        body = dataclasses.asdict(self)
        body["command"] = "stop"
        body["exit_code"] = self.exit_code
        return body


@dataclass
class StopProgress(JobProgress):
    """Live figures of a running stop: tasks done of those to stop, by the stop's statuses."""

    STATUSES: ClassVar[tuple[str, ...]] = tuple(status.value for status in OUTCOMES)

    def record_stop(self, outcome: StopOutcome) -> None:
        """Count one written outcome (and log it with the row and key)."""
        extra = {"row": outcome.row, "key": outcome.key, "event": "outcome"}
        if outcome.status is StopStatus.STOPPED and not outcome.error_code:
            log.debug(
                "row %d (key %s): stopped %s", outcome.row, outcome.key, outcome.contact_id, extra=extra
            )
        else:
            log.info(
                "row %d (key %s): %s %s %s: %s",
                outcome.row,
                outcome.key,
                outcome.status.value,
                outcome.contact_id,
                outcome.error_code,
                outcome.error_message,
                extra=extra,
            )
        self.tally(
            outcome.status.value,
            outcome.row,
            outcome.error_code,
            outcome.error_message,
            grouped=outcome.status is not StopStatus.STOPPED,
        )

    def summarise_stop(
        self, plan: StopPlan, *, started: float, interrupted: bool, dry_run: bool = False
    ) -> StopSummary:
        """The summary of the stop of `plan` these figures describe, `started` at that `time.monotonic()`."""
        figures = self.summarise(
            command="stop",
            job_id="",
            input_path=str(plan.results),
            results=str(plan.ledger),
            total_rows=len(plan.targets),
            started=started,
            interrupted=interrupted,
        )
        return StopSummary(
            results=str(plan.results),
            ledger=str(plan.ledger),
            to_stop=len(plan.targets),
            selected=plan.selected,
            done_earlier=plan.done_earlier,
            not_scheduled=plan.not_scheduled,
            without_task=plan.without_task,
            instances=plan.instances,
            counts=figures.counts,
            sent=figures.sent,
            attempts=figures.attempts,
            retries=figures.retries,
            throttles=figures.throttles,
            rate_limit=figures.rate_limit,
            achieved_rate=figures.achieved_rate,
            latency_ms=figures.latency_ms,
            elapsed_seconds=figures.elapsed_seconds,
            top_errors=figures.top_errors,
            interrupted=interrupted,
            dry_run=dry_run,
        )
