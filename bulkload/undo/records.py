"""The records of a stop: a task to stop, and what became of it (one line of the stop ledger)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class StopStatus(enum.StrEnum):
    """What became of a task; the `status` column of the stop ledger."""

    STOPPED = "stopped"  # StopContact ended it (or may have: an earlier answer was lost, see the ledger)
    ALREADY_ENDED = "already-ended"  # the service said it had ended, or is gone, before bulkload stopped it
    REJECTED = "rejected"  # the service refused the stop; a later stop tries again
    FAILED = "failed"  # retries ran out; it may or may not have ended; a later stop tries again
    SENDING = "sending"  # a stop was sent and its answer not recorded (the process was killed); not final


FINAL: Final = frozenset({StopStatus.STOPPED, StopStatus.ALREADY_ENDED})
"""The statuses a later stop leaves alone: the task has ended."""

OUTCOMES: Final = (StopStatus.STOPPED, StopStatus.ALREADY_ENDED, StopStatus.REJECTED, StopStatus.FAILED)
"""The statuses a stop decides, in the order summaries list them."""


@dataclass(frozen=True, slots=True)
class StopRequest:
    """A task to stop: the results file's row that created it, and where the task lives.

    `maybe_stopped`: an earlier stop of this task went unanswered (the ledger says `sending` or `failed`),
    so if the service now says the task has ended, that stop most likely ended it.
    """

    row: int
    key: str
    contact_id: str
    instance_id: str
    scheduled_time: int | None = None
    maybe_stopped: bool = False


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """One line of the stop ledger; `time` is when it was decided (UTC, ISO 8601)."""

    row: int
    key: str
    contact_id: str
    instance_id: str
    status: StopStatus
    error_code: str = ""
    error_message: str = ""
    attempts: int = 0
    time: str = ""
