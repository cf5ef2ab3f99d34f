"""The stop ledger, `<results>.stop.csv`: what `bulkload stop` did with each task the results file records.

The results file's conventions hold: spreadsheet-safe cells, lines handed to the OS once per event-loop
turn, a line torn by a kill -9 ignored. A stop appends each task's outcome as its answer comes (so in the
order of the answers, not of the rows), and a task's latest line wins. Every stop begins, and a stop that
ran to the end finishes, by rewriting the ledger atomically to one line per task in row order.

Before a task's first stop leaves, a `sending` line is handed to the OS at once (not at the end of the
turn): after a kill -9, the next stop knows which tasks had a stop in flight. It sends them again, and
when the service now says the task has ended, that earlier stop ended it: the task is `stopped`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import stop_ledger_path, temporary_path
from bulkload.ledger.reader import read_table
from bulkload.ledger.writer import LineWriter, neutralise, one_line
from bulkload.undo.records import StopOutcome, StopRequest, StopStatus

COLUMNS: Final = (
    "row",
    "key",
    "contact_id",
    "instance_id",
    "status",
    "error_code",
    "error_message",
    "attempts",
    "time",
)
_REQUIRED: Final = frozenset({"row", "contact_id", "status"})
_WHAT: Final = "stop ledger"


def now_text() -> str:
    """This moment as the ledger's `time` column writes it (UTC, ISO 8601, to the second)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_stop_ledger(path: Path) -> dict[str, StopOutcome]:
    """The latest line of each task (by ContactId) in the stop ledger at `path`; empty when there is none."""
    if not path.exists():
        return {}
    latest: dict[str, StopOutcome] = {}
    for number, get in read_table(path, _REQUIRED, _WHAT):
        try:
            outcome = StopOutcome(
                row=int(get("row")),
                key=get("key"),
                contact_id=get("contact_id"),
                instance_id=get("instance_id"),
                status=StopStatus(get("status")),
                error_code=get("error_code"),
                error_message=get("error_message"),
                attempts=int(get("attempts") or 0),
                time=get("time"),
            )
        except ValueError as exc:
            raise ResultsFileError(f"{path}, line {number}: {exc}") from exc
        latest[outcome.contact_id] = outcome
    return latest


def _cells(outcome: StopOutcome) -> tuple[object, ...]:
    return (
        outcome.row,
        neutralise(outcome.key),
        neutralise(outcome.contact_id),
        neutralise(outcome.instance_id),
        outcome.status.value,
        neutralise(outcome.error_code),
        neutralise(one_line(outcome.error_message)),
        outcome.attempts,
        outcome.time,
    )


def rewrite(path: Path, outcomes: Iterable[StopOutcome]) -> None:
    """Write the whole stop ledger atomically: one line per outcome, in row order."""
    tmp = temporary_path(path)
    writer = LineWriter(tmp, header=COLUMNS, what=_WHAT)
    try:
        for outcome in sorted(outcomes, key=lambda o: (o.row, o.contact_id)):
            writer.write_cells(_cells(outcome))
    finally:
        writer.close()
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise ResultsFileError(f"cannot write the {_WHAT} {path}: {exc.strerror}") from exc


class StopLedger:
    """The stop ledger of one results file, open for a stop: where the send loop puts each outcome.

    Opening it rewrites it to one line per task (which also drops a line torn by a kill -9, so that the
    lines appended after it are whole); `finish` does so again once the stop has run to the end.
    """

    def __init__(self, results: Path, on_write: Callable[[StopOutcome], None] | None = None) -> None:
        self.path = stop_ledger_path(results)
        rewrite(self.path, read_stop_ledger(self.path).values())
        self._writer = LineWriter(self.path, append=True, what=_WHAT)
        self._on_write = on_write

    def sending(self, request: StopRequest) -> None:
        """Record, before it leaves, that a stop of `request` is being sent; on disk at once."""
        self._writer.write_cells(
            _cells(
                StopOutcome(
                    row=request.row,
                    key=request.key,
                    contact_id=request.contact_id,
                    instance_id=request.instance_id,
                    status=StopStatus.SENDING,
                    time=now_text(),
                )
            )
        )
        self._writer.flush()

    def expect(self, row: int) -> None:
        """Nothing to wait for: outcomes go in as their answers come."""

    def complete(self, outcome: StopOutcome) -> None:
        """Append a task's outcome (it reaches the OS at the end of this event-loop turn)."""
        self._writer.write_cells(_cells(outcome))
        if self._on_write is not None:
            self._on_write(outcome)

    def close(self) -> None:
        """Flush and sync the ledger to disk."""
        self._writer.close()

    def finish(self) -> None:
        """After a stop that ran to the end: one line per task again."""
        rewrite(self.path, read_stop_ledger(self.path).values())
