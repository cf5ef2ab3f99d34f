"""Outcomes, small results files and records of sends for the ledger's tests."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bulkload.ledger.sends import SendRecord
from bulkload.ledger.writer import ResultsWriter
from bulkload.records import RowOutcome, Status, TaskRequest


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


def write_sends(path: Path, sent: list[RowOutcome], *, job_id: str = "job-1") -> Path:
    """Write a record of sends at `path` for the rows of `sent` (their tokens, hashes and `sent_at`)."""

    async def record_all() -> None:
        record = SendRecord(path, job_id=job_id)
        try:
            await asyncio.gather(*(record.before_send(_request(o)) for o in sent))
        finally:
            record.close()

    asyncio.run(record_all())
    return path


def _request(sent: RowOutcome) -> TaskRequest:
    return TaskRequest(
        row=sent.row,
        line=sent.line,
        key=sent.key,
        params={},
        client_token=sent.client_token,
        request_hash=sent.request_hash,
        sent_at=sent.sent_at,
    )
