"""Cost per row: the loader's CPU time per row against the bare cost of one StartTaskContact call.

Everything runs in this process except the emulator (its own process, quota far above what one core can
send, no injected latency), so `time.process_time()` here is the client side's CPU only. In one run, in interleaved rounds (the least CPU of each is kept):

  boto3 loop     a sequential boto3 loop: what a user writes first (wall time and CPU per call)
  aioboto3 loop  a bare aioboto3 loop, CONCURRENCY calls in flight, nothing read, validated or written:
                 the cost floor of one call. It sends the very requests bulkload sends for the same file
                 (captured beforehand, outside the measurement: a third carry a ScheduledTime, which costs
                 botocore some 30 us to serialise), with botocore's default client: parameter validation on.
                 A second line shows the same loop with one fixed request (PARAMS), for reference.
  bulkload       `Job.run()` on a generated CSV: reading, mapping, validation, tokens, the pool, the
                 results file. Whole-job CPU per row, and the marginal CPU per row (the difference between
                 two file sizes, which cancels the fixed start-up cost: client creation, first chunk).

Target: bulkload's CPU per row within 25% of the aioboto3 loop's.

    .venv/bin/python benchmarks/cost_per_row.py [--rows 4000] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import FLOW_ID, INSTANCE_ID, emulator, machine, use_client_env, write_csv

PARAMS: dict[str, Any] = {
    "InstanceId": INSTANCE_ID,
    "ContactFlowId": FLOW_ID,
    "Name": "Call back customer 1",
    "Description": "Refund request: customer asked for a call back (ticket T-1).",
    "Attributes": {"customer_id": "0000001", "priority": "high"},
    "References": {
        "ticket": {"Value": "https://support.example.com/tickets/T-1", "Type": "URL"},
        "order": {"Value": "123456", "Type": "NUMBER"},
        "customer": {"Value": "customer1@example.com", "Type": "EMAIL"},
    },
}
CONCURRENCY = 64


def _config() -> Any:
    from botocore.config import Config  # noqa: PLC0415 - imported after the environment is set

    return Config(retries={"total_max_attempts": 1}, max_pool_connections=CONCURRENCY)


def boto3_loop(url: str, calls: int) -> tuple[float, float]:
    """(CPU s, wall s) of `calls` sequential boto3 calls, after a warm-up call."""
    import boto3  # noqa: PLC0415

    client = boto3.client("connect", endpoint_url=url, config=_config())
    client.start_task_contact(**PARAMS, ClientToken=str(uuid.uuid4()))
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        client.start_task_contact(**PARAMS, ClientToken=str(uuid.uuid4()))
    return time.process_time() - cpu, time.perf_counter() - wall


async def captured_requests(path: Path) -> list[dict[str, Any]]:
    """The keyword arguments bulkload would pass to start_task_contact for each row of `path`."""
    import contextlib  # noqa: PLC0415

    sent: list[dict[str, Any]] = []

    class Capture:
        async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
            sent.append(kwargs)
            return {"ContactId": str(uuid.uuid4())}

    @contextlib.asynccontextmanager
    async def capture(_settings: Any) -> Any:
        yield Capture()

    await bulkload_job("http://unused.invalid", path, client_factory=capture)
    return sent


async def aioboto3_loop(
    url: str, calls: int, requests: list[dict[str, Any]] | None = None
) -> tuple[float, float]:
    """(CPU s, wall s) of `calls` aioboto3 calls, CONCURRENCY in flight, after a warm-up.

    Each call sends the next of `requests` (with a fresh token), else PARAMS.
    """
    import aioboto3  # noqa: PLC0415

    session = aioboto3.Session()
    bodies = iter(requests * 2 if requests else [])
    async with session.client("connect", endpoint_url=url, config=_config()) as client:

        async def worker(count: int) -> None:
            for _ in range(count):
                body = next(bodies, PARAMS) | {"ClientToken": str(uuid.uuid4())}
                await client.start_task_contact(**body)

        await asyncio.gather(*(worker(2) for _ in range(CONCURRENCY)))  # warm: connections, caches
        per_worker = calls // CONCURRENCY
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(per_worker) for _ in range(CONCURRENCY)))
        return time.process_time() - cpu, time.perf_counter() - wall


async def bulkload_job(
    url: str, path: Path, *, profile: bool = False, client_factory: Any = None
) -> tuple[float, float, int]:
    """(CPU s, wall s, rows created) of one `Job.run()` over `path` (with the default client, or one
    opened by `client_factory`)."""
    from bulkload.connect.client import ClientSettings  # noqa: PLC0415
    from bulkload.job import Job, JobSettings  # noqa: PLC0415
    from bulkload.mapping import MappingOptions  # noqa: PLC0415
    from bulkload.pool import PoolSettings  # noqa: PLC0415

    settings = JobSettings(
        input=path,
        mapping=MappingOptions(instance_id=INSTANCE_ID, flow_id=FLOW_ID),
        # A rate no single core reaches, so the pool is never what waits; concurrency as the bare loop.
        pool=PoolSettings(rate=100_000, burst=100, concurrency=CONCURRENCY),
        client=ClientSettings(endpoint_url=url, region="us-east-1"),
        preflight=False,  # the cost of sending a row; preflight's read of the file comes on top
    )
    profiler: Any = None
    if profile:
        from pyinstrument import Profiler  # noqa: PLC0415

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    cpu, wall = time.process_time(), time.perf_counter()
    summary = await Job(settings, client_factory=client_factory).run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return cpu, wall, summary.counts.get("created", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000, help="rows (and calls) per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the least CPU counts")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the job")
    args = parser.parse_args()
    use_client_env()
    rows = args.rows
    print(f"machine: {machine()}")
    print(f"cost per row: {rows} calls each, emulator in its own process, no injected latency")
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp, emulator(rate=1e6, burst=10_000) as emu:
        asyncio.run(bulkload_job(emu.url, write_csv(Path(tmp) / "warm.csv", 50, seed=3)))  # imports
        b_cpu, b_wall = boto3_loop(emu.url, rows // 4)
        # Other work on the machine inflates CPU time too: measure in interleaved rounds, keep the least.
        floors, fixed, smalls, larges = [], [], [], []
        for round_ in range(args.rounds):
            small = write_csv(Path(tmp) / f"small-{round_}.csv", rows // 4, seed=10 + round_)
            large = write_csv(Path(tmp) / f"large-{round_}.csv", rows, seed=20 + round_)
            same = asyncio.run(captured_requests(write_csv(Path(tmp) / f"same-{round_}.csv", rows, seed=20)))
            floors.append(asyncio.run(aioboto3_loop(emu.url, rows, same)))
            fixed.append(asyncio.run(aioboto3_loop(emu.url, rows)))
            smalls.append(asyncio.run(bulkload_job(emu.url, small)))
            larges.append(asyncio.run(bulkload_job(emu.url, large, profile=args.profile)))
        a_cpu, a_wall = min(floors)
        f_cpu, f_wall = min(fixed)
        s_cpu, _, s_rows = min(smalls)
        l_cpu, l_wall, l_rows = min(larges)
        a_calls = rows // CONCURRENCY * CONCURRENCY
        floor = a_cpu / a_calls
        whole = l_cpu / l_rows
        marginal = (l_cpu - s_cpu) / (l_rows - s_rows)
        us = 1e6
        print(
            f"  boto3 loop (sequential): {b_cpu / (rows // 4) * us:7.0f} us CPU/call, "
            f"{(rows // 4) / b_wall:6.0f} calls/s"
        )
        print(
            f"  aioboto3 loop ({CONCURRENCY} in flight), one fixed request: {f_cpu / a_calls * us:7.0f} us CPU/call, "
            f"{a_calls / f_wall:6.0f} calls/s"
        )
        print(
            f"  aioboto3 loop ({CONCURRENCY} in flight), bulkload's requests: {floor * us:7.0f} us CPU/call, "
            f"{a_calls / a_wall:6.0f} calls/s  <- the floor"
        )
        print(
            f"  bulkload run, whole job:   {whole * us:7.0f} us CPU/row, {l_rows / l_wall:6.0f} rows/s ({l_rows} rows)"
        )
        print(f"  bulkload run, marginal:    {marginal * us:7.0f} us CPU/row ({s_rows} vs {l_rows} rows)")
        ratio = marginal / floor
        print(
            f"  bulkload / aioboto3: marginal {ratio:.2f}, whole job {whole / floor:.2f} "
            f"-> {'MET' if ratio <= 1.25 else 'MISSED'} (target <= 1.25)"
        )


if __name__ == "__main__":
    main()
