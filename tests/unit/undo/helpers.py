"""Results files, stop requests and stop outcomes for the undo tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bulkload.records import RowOutcome
from bulkload.undo.records import StopOutcome, StopRequest, StopStatus
from tests.unit.ledger.helpers import outcome, write

INSTANCE = "i-0001"


def created(row: int, **changes: object) -> RowOutcome:
    """A created row of the results file, with its instance recorded (key: the row number)."""
    return outcome(row, **{"instance_id": INSTANCE, **changes})


def results_file(path: Path, rows: list[RowOutcome]) -> Path:
    """Write `rows` as the results file at `path`."""
    return write(path, rows)


def request(row: int, **changes: object) -> StopRequest:
    """The stop of row `row`'s task."""
    base = StopRequest(row=row, key=str(row), contact_id=f"c-{row}", instance_id=INSTANCE)
    return replace(base, **changes)  # type: ignore[arg-type]


def stop_outcome(row: int, status: StopStatus = StopStatus.STOPPED, **changes: object) -> StopOutcome:
    """The outcome of row `row`'s stop."""
    base = StopOutcome(
        row=row,
        key=str(row),
        contact_id=f"c-{row}",
        instance_id=INSTANCE,
        status=status,
        attempts=1,
        time="2026-01-01T00:00:00Z",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
