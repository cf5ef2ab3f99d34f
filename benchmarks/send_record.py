"""The record of sends alone: its CPU per row, which the cost benchmark cannot resolve from its noise.

CONCURRENCY workers (as many as `cost_per_row.py` keeps in flight) each take rows one after another and
suspend once per row, as a call would; with the record, each row first waits for `SendRecord.before_send`
(its line in the batch of its event-loop turn, one `os.write` per turn). The difference between the two
loops is what the record adds to a row. In interleaved rounds; the least CPU of each counts.

    .venv/bin/python benchmarks/send_record.py [--rows 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _common import machine

from bulkload.ledger.sends import SendRecord
from bulkload.records import TaskRequest

CONCURRENCY = 64


def requests(count: int) -> list[TaskRequest]:
    """Requests shaped like bulkload's: a key, a ClientToken and a request hash of their usual lengths."""
    return [
        TaskRequest(
            row=row,
            line=row + 1,
            key=f"T-{row:06d}",
            params={},
            client_token=f"bl1-{row:032x}",
            request_hash=f"{row:024x}",
        )
        for row in range(1, count + 1)
    ]


async def send_all(rows: list[TaskRequest], record: SendRecord | None) -> float:
    """CPU seconds for CONCURRENCY workers to take every row (recording each first, with `record`)."""

    async def worker(start: int) -> None:
        for request in rows[start::CONCURRENCY]:
            if record is not None:
                await record.before_send(request)
            await asyncio.sleep(0)  # the call's own suspension, in both loops

    cpu = time.process_time()
    await asyncio.gather(*(worker(start) for start in range(CONCURRENCY)))
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the least CPU counts")
    args = parser.parse_args()
    rows = requests(args.rows)
    print(f"machine: {machine()}")
    bare, recorded, size = [], [], 0
    with tempfile.TemporaryDirectory(prefix="bench-sends-") as tmp:
        for round_ in range(args.rounds):
            bare.append(asyncio.run(send_all(rows, None)))
            path = Path(tmp) / f"r{round_}.csv.sends"
            record = SendRecord(path, job_id="job-1")
            recorded.append(asyncio.run(send_all(rows, record)))
            record.close()
            size = path.stat().st_size
    us = 1e6 / args.rows
    print(f"  {args.rows} rows, {CONCURRENCY} workers, {args.rounds} rounds")
    print(f"  without the record: {min(bare) * us:6.2f} us CPU/row")
    print(
        f"  with the record:    {min(recorded) * us:6.2f} us CPU/row ({size / args.rows:.0f} bytes/row on disk)"
    )
    print(f"  the record adds:    {(min(recorded) - min(bare)) * us:6.2f} us CPU/row")


if __name__ == "__main__":
    main()
