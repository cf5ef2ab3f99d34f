"""A job wires the stages together: source -> mapping -> validation -> prepare -> send loop -> ledger.

This is the only module that knows every stage. It never prints and never exits: the CLI turns a
`JobSummary` (or a `JobError`) into output and an exit code.

Concurrency: reading, mapping and validating a chunk of rows is synchronous work, done in a worker thread
one chunk at a time so the event loop keeps sending while the next chunk is prepared. Requests go to the
workers through a bounded queue; outcomes come back out of order and are written in input order.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.errors import InputError, ServiceAccessError, ServiceRefusedJobError
from bulkload.ledger import (
    InOrderWriter,
    PreviousResults,
    ResultsLock,
    ResultsWriter,
    SendRecord,
    check_results_file,
    finish,
    has_ledger,
    open_previous,
    pending_path,
    resolve_job_id,
    sends_path,
    undo_run,
    write_job_file,
)
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.pool import PoolSettings, RowSender
from bulkload.pool.workers import SendLoop
from bulkload.prepare import Prepared, RowPreparer
from bulkload.progress import JobProgress, JobSummary
from bulkload.records import RowOutcome, SourceRow
from bulkload.source import Source, SourceOptions, open_source
from bulkload.threadwork import ThreadWork
from bulkload.validation import FileRules, RequestValidator


class ClientFactory(Protocol):
    """Opens a Connect client (anything with an async `start_task_contact(**kwargs)`) for the settings."""

    def __call__(self, settings: ClientSettings, /) -> AbstractAsyncContextManager[Any]:
        """An async context manager that yields the client and closes it on exit."""


@dataclass(frozen=True, kw_only=True)
class JobSettings:
    """Everything a job needs; the CLI builds it from options, environment and config file."""

    input: Path
    results: Path | None = None
    source: SourceOptions = field(default_factory=SourceOptions)
    mapping: MappingOptions = field(default_factory=MappingOptions)
    pool: PoolSettings = field(default_factory=PoolSettings)
    client: ClientSettings = field(default_factory=ClientSettings)
    job_id: str | None = None
    resend_edited: bool = False  # send rows edited after an unknown outcome (may create a second task)
    drain_timeout: float = 30.0  # on a stop, how long in-flight calls may take to finish

    @property
    def results_path(self) -> Path:
        """`--results`, else `<input stem>.results.csv` beside the input."""
        return self.results or self.input.with_name(self.input.stem + ".results.csv")


class Job:
    """One run of an input against Amazon Connect (`run`), or a check of every row that sends nothing
    (`validate`).

    Build `JobSettings` (the input path, and at least `mapping=MappingOptions(instance_id=...,
    flow_id=...)` unless the input has those columns), then `summary = await Job(settings).run()`. The
    results file (`settings.results_path`) gets one line per row; running the same settings again sends
    only the rows not created yet, with the same ClientTokens. `summary.exit_code` says whether every row
    was created.

    While it runs, another task may read `job.progress` (a `JobProgress`: rows done, counts, the rate) and
    call `job.request_stop()` (from a signal handler, say): no new row is sent, calls in flight finish
    within `settings.drain_timeout`, the results written so far are kept, and the summary says
    `interrupted`. Errors that stop a whole job raise a `JobError`; a row's failure never does.

    `client_factory(client_settings)` opens the Connect client as an async context manager (default:
    aioboto3's, as `settings.client` says); pass another to reuse a client or to test. `sleep` replaces
    the wait of the retry backoff.
    """

    def __init__(
        self,
        settings: JobSettings,
        *,
        client_factory: ClientFactory | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self.progress = JobProgress(rate_limit=settings.pool.rate)
        self.job_id = ""  # known once `run` has read the results file
        self._client_factory = client_factory or connect_client
        self._stop = asyncio.Event()
        self._sleep = sleep
        self._refused: ServiceRefusedJobError | None = None
        self._thread = ThreadWork()

    def request_stop(self) -> None:
        """Stop taking new rows; calls in flight finish (bounded by `drain_timeout`); results are flushed."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop.is_set()

    async def _stop_aware_sleep(self, seconds: float) -> None:
        # A backoff ends early on a stop, so the row is abandoned (and resumed next run) without waiting.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _open(self) -> tuple[Source, ColumnMapping]:
        source = open_source(self.settings.input, self.settings.source)
        try:
            mapping = ColumnMapping.from_header(source.info.header, self.settings.mapping)
        except BaseException:
            source.close()
            raise
        return source, mapping

    def _preparer(self, mapping: ColumnMapping, previous: PreviousResults | None) -> RowPreparer:
        return RowPreparer(
            mapping,
            RequestValidator(),
            FileRules(check_duplicate_keys=self.settings.mapping.key_column is not None),
            previous,
            job_id=self.job_id,
            resend_edited=self.settings.resend_edited,
            progress=self.progress,
        )

    async def _next_items(
        self, source: Source, chunks: Iterator[list[SourceRow]], preparer: RowPreparer
    ) -> list[Prepared] | None:
        items = await self._thread.run(preparer.prepare_next, chunks)
        if items is not None and self.progress.total_rows is None:
            self.progress.total_rows = source.total_rows  # a large CSV is counted while it is read
        return items

    async def validate(self) -> JobSummary:
        """Map and validate every row; send nothing. Invalid rows are reported through `progress`."""
        started = time.monotonic()
        source, mapping = await asyncio.to_thread(self._open)
        self.progress.total_rows = source.total_rows
        preparer = self._preparer(mapping, None)
        total = 0
        with source:
            chunks = source.chunks()
            try:
                while not self._stop.is_set():
                    items = await self._next_items(source, chunks, preparer)
                    if items is None:
                        break
                    for item in items:
                        total += 1
                        if isinstance(item, RowOutcome):
                            self.progress.record(item)
                        else:
                            self.progress.record_valid()
            finally:
                await self._thread.settle()
        if total == 0 and not self._stop.is_set():
            raise InputError(f"{self.settings.input} has a header but no rows")
        return self._summary("validate", total, started, results=None)

    async def run(self) -> JobSummary:
        """Send every row that is not created yet; write the results file as outcomes arrive.

        Holds the results file's lock throughout: one run at a time per results file.
        """
        with ResultsLock(self.settings.results_path):
            return await self._run()

    async def _run(self) -> JobSummary:
        started = time.monotonic()
        settings = self.settings
        source, mapping = await asyncio.to_thread(self._open)
        results_path = settings.results_path
        with source:
            if self._stop.is_set():  # stopped while starting: the ledger is left untouched
                return self._summary("run", 0, started, results=str(results_path))
            previous, had_ledger = await self._open_ledger(source)
            try:
                try:
                    preparer = self._preparer(mapping, previous)
                    total = 0 if self._stop.is_set() else await self._send_all(source, preparer)
                except InputError as exc:
                    # The file turned out unreadable part-way (a large CSV's background scan found bad
                    # bytes). Rows already decided stay in the results file.
                    if self.progress.rows_done == 0 and self.progress.sent == 0:
                        undo_run(results_path, had_ledger=had_ledger)
                        raise
                    raise InputError(
                        f"{exc}\n{self.progress.rows_done} rows before it are recorded in {results_path} "
                        f"({self.progress.sent} sent this run); nothing after it was sent. Fix the file "
                        "(or --encoding) and run again to continue"
                    ) from exc
                if total == 0:
                    # A header and no rows (an input problem), or a stop before the first row: this run
                    # leaves the results as they were.
                    undo_run(results_path, had_ledger=had_ledger)
            finally:
                previous.close()
        if self._refused is not None:
            raise ServiceAccessError(
                f"the service refused the job's credentials or permissions ({self._refused.error.code}: "
                f"{self._refused.error.message}); nothing more was sent. Check the credentials, --region, "
                "--profile and that the caller may call connect:StartTaskContact"
                + (
                    f"; the {self.progress.rows_done} rows decided so far are recorded in {results_path} "
                    "and the next run continues"
                    if self.progress.rows_done > 1
                    else ""
                )
            )
        if total == 0 and not self._stop.is_set():
            raise InputError(f"{settings.input} has a header but no rows")
        summary = self._summary("run", total, started, results=str(results_path))
        if not summary.interrupted:
            finish(results_path)
        return summary

    async def _open_ledger(self, source: Source) -> tuple[PreviousResults, bool]:
        """Claim the results file for this input, set it aside and index it, take its job id and record
        the job file; return the earlier outcomes, and whether an earlier run left any."""
        settings = self.settings
        results_path = settings.results_path
        recorded_job_id = check_results_file(
            results_path,
            input_path=settings.input,
            explicit=settings.results is not None,
            fingerprint=source.info.fingerprint,
            key_column=settings.mapping.key_column,
        )
        had_ledger = has_ledger(results_path)
        previous = await asyncio.to_thread(open_previous, results_path)
        try:
            self.job_id = resolve_job_id(
                results_path,
                previous.job_ids,
                recorded=recorded_job_id,
                requested=settings.job_id,
                fingerprint=source.info.fingerprint,
            )
            write_job_file(
                results_path,
                input_path=settings.input,
                fingerprint=source.info.fingerprint,
                job_id=self.job_id,
                options={
                    "source": settings.source,
                    "mapping": settings.mapping,
                    "pool": settings.pool,
                    "client": dataclasses.replace(settings.client, static_credentials=None),
                    # Not --resend-edited: it accepts a risk for one run, never for the runs after it.
                },
            )
        except BaseException:
            previous.close()
            raise
        return previous, had_ledger

    async def _send_all(self, source: Source, preparer: RowPreparer) -> int:
        """Send every row of `source` as `preparer` decides; return how many rows were taken."""
        settings = self.settings
        self.progress.total_rows = source.total_rows
        client_settings = dataclasses.replace(settings.client, max_connections=settings.pool.max_concurrency)
        results_path = settings.results_path
        async with self._client_factory(client_settings) as client:
            record = SendRecord(sends_path(results_path), job_id=self.job_id)
            sender = RowSender(
                client,
                settings.pool,
                job_id=self.job_id,
                sleep=self._sleep or self._stop_aware_sleep,
                record=record.before_send,
            )
            self.progress.pool = sender.stats
            self.progress.current_rate = lambda: sender.rate.rate
            self.progress.in_flight = lambda: sender.gate.in_flight
            writer = ResultsWriter(results_path)
            ordered = InOrderWriter(writer, on_write=self.progress.record, pending=pending_path(results_path))
            loop = SendLoop(
                sender,
                ordered,
                self.progress,
                next_items=functools.partial(self._next_items, source, source.chunks(), preparer),
                stop=self._stop,
                concurrency=settings.pool.max_concurrency,
                drain_timeout=settings.drain_timeout,
            )
            try:
                return await loop.run()
            finally:
                self._refused = loop.refused
                await self._thread.settle()  # a chunk being prepared still reads the source and the index
                ordered.flush_all()
                ordered.close()
                writer.close()
                record.close()

    def _summary(self, command: str, total: int, started: float, *, results: str | None) -> JobSummary:
        return self.progress.summarise(
            command=command,
            job_id=self.job_id,
            input_path=str(self.settings.input),
            results=results,
            total_rows=total,
            started=started,
            interrupted=self._stop.is_set() and self._refused is None,
        )
