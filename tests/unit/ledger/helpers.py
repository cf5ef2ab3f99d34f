"""Outcomes and small results files for the ledger's tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bulkload.ledger.writer import ResultsWriter
from bulkload.records import RowOutcome, Status


def outcome(row: int, **changes: object) -> RowOutcome:
    """A created outcome of `row` (key: the row number, job-1), with `changes` applied."""
    base = RowOutcome(
        row=row,
        line=row + 1,
        key=str(row),
        status=Status.CREATED,
        job_id="job-1",
        contact_id=f"c-{row}",
        client_token=f"bl1-{row}",
        request_hash=f"h{row}",
        attempts=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def write(path: Path, outcomes: list[RowOutcome]) -> Path:
    """Write `outcomes` as a results file at `path`."""
    writer = ResultsWriter(path)
    for o in outcomes:
        writer.write(o)
    writer.close()
    return path
