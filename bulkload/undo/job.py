"""A stop wires the undo together: results file -> plan -> the pool's send loop with StopContact -> stop ledger.

It never prints and never exits: the CLI and `bulkload.stop` turn a `StopSummary` (or a `JobError`) into
output and an exit code. It holds the results file's lock from planning to the end, so no run, retry or
other stop changes the ledger under it (a dry run reads without it, and writes nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.errors import ConfigError, ServiceAccessError, ServiceRefusedJobError
from bulkload.job import ClientFactory
from bulkload.ledger import ResultsLock, job_file_path, read_job_file
from bulkload.pool import PoolSettings, Sender
from bulkload.pool.workers import SendLoop
from bulkload.undo.ledger import StopLedger
from bulkload.undo.operation import StopTask
from bulkload.undo.plan import StopPlan, make_plan, require_results
from bulkload.undo.records import StopOutcome, StopRequest
from bulkload.undo.summary import StopProgress, StopSummary

_CHUNK = 500  # tasks handed to the send loop at a time


def recorded_client(results: Path) -> ClientSettings:
    """The Region, profile and endpoint the run of `results` recorded in its job file (never credentials);
    the defaults when it has none."""
    if not job_file_path(results).exists():
        return ClientSettings()
    fields = dict(read_job_file(results).get("options", {}).get("client") or {})
    fields.pop("static_credentials", None)  # credentials never come from a file
    try:
        return ClientSettings(**fields)
    except TypeError as exc:
        raise ConfigError(
            f"the job file of {results} does not fit this version of bulkload, or was damaged: {exc}"
        ) from exc


@dataclass(frozen=True, kw_only=True)
class StopSettings:
    """Everything a stop needs. `keys` None stops every created task; `client` None uses the run's
    (`recorded_client`); `pool` is StopContact's own quota (its rate and burst)."""

    results: Path
    keys: frozenset[str] | None = None
    only_scheduled: bool = False
    instance_id: str | None = None  # for rows written by an older bulkload, which record none
    dry_run: bool = False
    pool: PoolSettings = field(default_factory=PoolSettings)
    client: ClientSettings | None = None
    drain_timeout: float = 30.0  # on an interrupt, how long the calls in flight may take to finish


class StopJob:
    """Stops the tasks a results file records (see `undo.plan` for which), each at most once to the end.

    `summary = await StopJob(settings).run()`; the stop ledger beside the results file gets each task's
    outcome, and running it again sends only the tasks not stopped or ended yet. To see the plan before
    sending (the CLI asks for confirmation), hold the job: `with job: plan = job.plan(); ... await
    job.run()`. `job.progress` and `job.request_stop()` work as for `Job`.
    """

    def __init__(
        self,
        settings: StopSettings,
        *,
        client_factory: ClientFactory | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self.progress = StopProgress(rate_limit=settings.pool.rate)
        self._client_factory = client_factory or connect_client
        self._sleep = sleep
        self._stop = asyncio.Event()
        self._lock: ResultsLock | None = None
        self._plan: StopPlan | None = None

    def __enter__(self) -> StopJob:
        """Hold the results file (not for a dry run): no run, retry or stop may start until exit."""
        require_results(self.settings.results)
        if not self.settings.dry_run and self._lock is None:
            lock = ResultsLock(self.settings.results, advice="wait for it to finish, then stop again")
            self._lock = lock.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.__exit__(exc_type, exc, tb)

    def request_stop(self) -> None:
        """Stop sending; stops in flight finish (bounded by `drain_timeout`); the ledger keeps them."""
        self._stop.set()

    def plan(self) -> StopPlan:
        """Which tasks this stop sends StopContact for, and what it leaves alone (read once)."""
        if self._plan is None:
            s = self.settings
            self._plan = make_plan(
                s.results, keys=s.keys, only_scheduled=s.only_scheduled, instance_id=s.instance_id
            )
        return self._plan

    async def run(self) -> StopSummary:
        """Stop every task of the plan not stopped yet (a dry run sends nothing); return the summary."""
        if self._lock is not None or self.settings.dry_run:
            return await self._run()
        with self:
            return await self._run()

    async def _run(self) -> StopSummary:
        started = time.monotonic()
        plan = self._plan if self._plan is not None else await asyncio.to_thread(self.plan)
        self.progress.total_rows = len(plan.targets)
        if self.settings.dry_run or not plan.targets:
            return self.progress.summarise_stop(
                plan, started=started, interrupted=False, dry_run=self.settings.dry_run
            )
        ledger = StopLedger(plan.results, on_write=self.progress.record_stop)
        try:
            refused = await self._send_all(plan, ledger)
        finally:
            ledger.close()
        if refused is not None:
            raise ServiceAccessError(
                f"the service refused the stop's credentials or permissions ({refused.error.code}: "
                f"{refused.error.message}); nothing more was sent. Check the credentials, --region, "
                "--profile and that the caller may call connect:StopContact; the tasks decided so far are "
                f"recorded in {ledger.path}, and the next stop continues"
            )
        interrupted = self._stop.is_set()
        if not interrupted:
            ledger.finish()
        return self.progress.summarise_stop(plan, started=started, interrupted=interrupted)

    async def _stop_aware_sleep(self, seconds: float) -> None:
        # A backoff ends early on an interrupt, so the task is left for the next stop without waiting.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _send_all(self, plan: StopPlan, ledger: StopLedger) -> ServiceRefusedJobError | None:
        """Send every task of the plan through the pool; return the refusal that stopped it, if one did."""
        pool = self.settings.pool
        client_settings = self.settings.client or recorded_client(plan.results)
        client_settings = dataclasses.replace(client_settings, max_connections=pool.max_concurrency)
        chunks = _chunks(plan.targets)

        async def next_items() -> list[StopRequest] | None:
            return next(chunks, None)

        async with self._client_factory(client_settings) as client:
            sender = Sender(client, pool, StopTask(ledger), sleep=self._sleep or self._stop_aware_sleep)
            self.progress.pool = sender.stats
            self.progress.current_rate = lambda: sender.rate.rate
            self.progress.in_flight = lambda: sender.gate.in_flight
            loop: SendLoop[StopRequest, StopOutcome] = SendLoop(
                sender,
                ledger,
                self.progress,
                next_items=next_items,
                stop=self._stop,
                concurrency=pool.max_concurrency,
                drain_timeout=self.settings.drain_timeout,
            )
            try:
                await loop.run()
            finally:
                refused = loop.refused
        return refused


def _chunks(targets: tuple[StopRequest, ...]) -> Iterator[list[StopRequest]]:
    for start in range(0, len(targets), _CHUNK):
        yield list(targets[start : start + _CHUNK])
