"""The record of sends: its CPU per row, which the cost benchmark cannot resolve from its noise.

Two measurements, each in interleaved rounds:

  the record alone  CONCURRENCY workers (as many as `cost_per_row.py` keeps in flight) each take rows one
                    after another and suspend once per row, as a call would; with the record, each row
                    first waits for `SendRecord.before_send` (its line in its turn's batch, one write per
                    turn). The difference is what the record adds to a row.
  a job             `Job.run()` on a generated CSV, with the record and with it switched off (the sender
                    built without it), alternating; the difference of each pair of rounds. With a stub
                    client by default (bulkload's own work only: the least noise), or `--http` against the
                    emulator in its own process with the real client.

    .venv/bin/python benchmarks/send_record.py [--rows 200000] [--rounds 3] [--job-rows 8000]
        [--job-rounds 15] [--http]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from _common import FLOW_ID, INSTANCE_ID, emulator, machine, use_client_env, write_csv

CONCURRENCY = 64


def requests(count: int) -> list[Any]:
    """Requests shaped like bulkload's: a key, a ClientToken and a request hash of their usual lengths."""
    from bulkload.records import TaskRequest  # noqa: PLC0415 - imported after the environment is set

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


async def take_all(rows: list[Any], record: Any) -> float:
    """CPU seconds for CONCURRENCY workers to take every row (recording each first, with `record`)."""

    async def worker(start: int) -> None:
        for request in rows[start::CONCURRENCY]:
            if record is not None:
                await record.before_send(request)
            await asyncio.sleep(0)  # the call's own suspension, in both loops

    cpu = time.process_time()
    await asyncio.gather(*(worker(start) for start in range(CONCURRENCY)))
    return time.process_time() - cpu


class StubClient:
    """Creates every task at once: what is left is bulkload's own work."""

    async def start_task_contact(self, **_kwargs: Any) -> dict[str, str]:
        """A new ContactId, after one suspension."""
        await asyncio.sleep(0)
        return {"ContactId": str(uuid.uuid4())}


@contextlib.asynccontextmanager
async def stub_client(_settings: Any) -> AsyncIterator[StubClient]:
    """Opens the stub client."""
    yield StubClient()


async def job_cpu_per_row(path: Path, url: str | None, *, record: bool) -> float:
    """CPU seconds per row of `Job.run()` over `path` (the stub client unless `url`), with or without the record."""
    from bulkload.connect.client import ClientSettings  # noqa: PLC0415
    from bulkload.job import Job, JobSettings  # noqa: PLC0415
    from bulkload.mapping import MappingOptions  # noqa: PLC0415
    from bulkload.pool import PoolSettings, RowSender  # noqa: PLC0415

    settings = JobSettings(
        input=path,
        mapping=MappingOptions(instance_id=INSTANCE_ID, flow_id=FLOW_ID),
        pool=PoolSettings(rate=100_000, burst=100, concurrency=CONCURRENCY),
        client=ClientSettings(endpoint_url=url, region="us-east-1"),
    )
    build = RowSender.__init__
    if not record:  # the job builds its sender itself: build it without the record for this round

        def without_record(sender: RowSender, *args: Any, **kwargs: Any) -> None:
            build(sender, *args, **{**kwargs, "record": None})

        RowSender.__init__ = without_record  # type: ignore[method-assign,assignment]
    try:
        cpu = time.process_time()
        summary = await Job(settings, client_factory=None if url else stub_client).run()
        cpu = time.process_time() - cpu
    finally:
        RowSender.__init__ = build  # type: ignore[method-assign]
    assert summary.counts.get("created") == summary.total_rows, summary.counts
    return cpu / summary.total_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows per measurement of the record alone")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the record alone; the least CPU counts"
    )
    parser.add_argument("--job-rows", type=int, default=8000, help="rows per job")
    parser.add_argument(
        "--job-rounds", type=int, default=15, help="pairs of jobs, with and without the record"
    )
    parser.add_argument("--http", action="store_true", help="jobs against the emulator with the real client")
    args = parser.parse_args()
    use_client_env()
    from bulkload.ledger.sends import SendRecord  # noqa: PLC0415

    print(f"machine: {machine()}")
    rows = requests(args.rows)
    bare, recorded, size = [], [], 0
    us = 1e6 / args.rows
    with tempfile.TemporaryDirectory(prefix="bench-sends-") as tmp:
        for round_ in range(args.rounds):
            bare.append(asyncio.run(take_all(rows, None)))
            path = Path(tmp) / f"r{round_}.csv.sends"
            record = SendRecord(path, job_id="job-1")
            recorded.append(asyncio.run(take_all(rows, record)))
            record.close()
            size = path.stat().st_size
        print(f"the record alone: {args.rows} rows, {CONCURRENCY} workers, {args.rounds} rounds")
        print(f"  without the record: {min(bare) * us:6.2f} us CPU/row")
        print(
            f"  with the record:    {min(recorded) * us:6.2f} us CPU/row ({size / args.rows:.0f} bytes/row on disk)"
        )
        print(f"  the record adds:    {(min(recorded) - min(bare)) * us:6.2f} us CPU/row")
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(emulator(rate=1e6, burst=10_000)).url if args.http else None
            pairs: list[tuple[float, float]] = []
            for round_ in range(args.job_rounds):
                both = {}
                for with_record in (True, False) if round_ % 2 == 0 else (False, True):
                    path = write_csv(
                        Path(tmp) / f"job-{round_}-{with_record}.csv", args.job_rows, seed=20 + round_
                    )
                    both[with_record] = asyncio.run(job_cpu_per_row(path, url, record=with_record))
                pairs.append((both[True], both[False]))
        client = "the real client and the emulator" if args.http else "a stub client"
        added = sorted((w - wo) * 1e6 for w, wo in pairs)
        ratios = sorted(w / wo for w, wo in pairs)
        quartiles = f"{added[len(added) // 4]:+.1f} to {added[3 * len(added) // 4]:+.1f}"
        print(f"a job with {client}: {args.job_rows} rows, {args.job_rounds} pairs of rounds")
        print(f"  with the record:    {min(w for w, _ in pairs) * 1e6:6.1f} us CPU/row (least)")
        print(f"  without the record: {min(wo for _, wo in pairs) * 1e6:6.1f} us CPU/row (least)")
        print(
            f"  the record adds:    {statistics.median(added):+6.1f} us CPU/row, median of the pairs (quartiles {quartiles})"
        )
        print(f"  with / without:     {statistics.median(ratios):.3f}, median of the pairs")


if __name__ == "__main__":
    main()
