"""A job wires the stages together: source -> mapping -> validation -> prepare -> send loop -> ledger.

This is the only module that knows every stage. It never prints and never exits: the CLI turns a
`JobSummary` (or a `JobError`) into output and an exit code.

A run, in order: take the results file (for results in S3, their working copy: `storage.run_ledger`),
open the input and take the job id; read the input once to learn the ids its rows will use (prepass) and
check them with the service (preflight); only then record the job file and send. So a mistake that
affects every row, missing credentials or an unreachable endpoint found by preflight, stops the job with
nothing sent and the results file as it was.

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
from pathlib import Path
from typing import Any

from bulkload.connect.classify import ClassifiedError, refused_error
from bulkload.connect.client import connect_client
from bulkload.connect.findings import PreflightReport
from bulkload.errors import InputError, ServiceAccessError, ServiceRefusedJobError
from bulkload.ledger import LedgerClaim, PreviousResults, ResultsWriter, claim_ledger, finish
from bulkload.mapping import ColumnMapping
from bulkload.plurals import counted
from bulkload.prepare import Prepared, RowPreparer
from bulkload.prepass import preflight_rows
from bulkload.progress import JobProgress, JobSummary
from bulkload.records import RowOutcome, SourceRow
from bulkload.send_stage import SendStage
from bulkload.settings import ClientFactory, JobSettings
from bulkload.source import Source, open_source
from bulkload.storage.access import S3Access
from bulkload.storage.input import S3File
from bulkload.storage.run_ledger import ledger_home
from bulkload.threadwork import ThreadWork
from bulkload.validation import FileRules, RequestValidator

__all__ = ["ClientFactory", "Job", "JobSettings"]  # the settings live in bulkload.settings


class Job:
    """One run of an input against Amazon Connect (`run`), or a check of every row that sends nothing
    (`validate`).

    Build `JobSettings` (the input, a path or an `s3://` URL, and at least
    `mapping=MappingOptions(instance_id=..., flow_id=...)` unless the input has those columns), then
    `summary = await Job(settings).run()`. The results file (`settings.results_location`) gets one line
    per row; running the same settings again sends only the rows not created yet, with the same
    ClientTokens. `summary.exit_code` says whether every row was created. Before the first row is sent,
    the ids the rows use are checked with the service (`settings.preflight`); `settings.limit` sends only
    the first rows not created yet, as a canary.

    While it runs, another task may read `job.progress` (a `JobProgress`: rows done, counts, the rate) and
    call `job.request_stop()` (from a signal handler, say): no new row is sent, calls in flight finish
    within `settings.drain_timeout`, the results written so far are kept, and the summary says
    `interrupted`. Errors that stop a whole job raise a `JobError`; a row's failure never does.

    `client_factory(client_settings)` opens the Connect client as an async context manager (default:
    aioboto3's, as `settings.client` says); pass another to reuse a client or to test. `sleep` replaces
    the wait of the retry backoff.
    """

    results_path: Path
    """The local results file, once `run` has started (for results in S3, their working copy)."""

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
        self._limit_reached = False
        self._thread = ThreadWork()
        self._s3 = S3Access(settings.s3.client_settings(settings.client))
        self._input: Path | S3File | None = None

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
        if self._input is None:  # one for every opening, so preflight reads the version the run reads
            self._input = self._s3.input_file(self.settings.input)
        source = open_source(self._input, self.settings.source)
        try:
            mapping = ColumnMapping.from_header(source.info.header, self.settings.mapping)
        except BaseException:
            source.close()
            raise
        return source, mapping

    def _preparer(
        self,
        mapping: ColumnMapping,
        previous: PreviousResults | None,
        checked: PreflightReport | None = None,
        *,
        counted: bool = True,
    ) -> RowPreparer:
        return RowPreparer(
            mapping,
            RequestValidator(),
            FileRules(check_duplicate_keys=self.settings.mapping.key_column is not None),
            previous,
            job_id=self.job_id,
            resend_edited=self.settings.resend_edited,
            progress=self.progress if counted else None,
            checked=checked,
        )

    async def _next_items(
        self, source: Source, chunks: Iterator[list[SourceRow]], preparer: RowPreparer
    ) -> list[Prepared] | None:
        items = await self._thread.run(preparer.prepare_next, chunks)
        if items is not None and self.progress.total_rows is None:
            self.progress.total_rows = source.total_rows  # a large CSV is counted while it is read
        return items

    async def _preflight(
        self, client: Any, previous: PreviousResults | None, *, limit: int | None
    ) -> PreflightReport | None:
        """Check the ids of the rows that will be sent (see prepass); None when stopped meanwhile."""
        return await preflight_rows(
            client,
            self._open,
            lambda mapping: self._preparer(mapping, previous, counted=False),
            limit=limit,
            thread=self._thread,
            stopped=self._stop.is_set,
            sleep=self._sleep or self._stop_aware_sleep,
            give_up_after=self.settings.pool.unreachable_after or None,
        )

    async def validate(self, *, online: bool = False) -> JobSummary:
        """Map and validate every row; send nothing. Invalid rows are reported through `progress`.

        `online` also checks the ids the rows use with the service's read-only Describe calls (preflight,
        with `settings.client`): a row naming an id the service does not have is invalid, and a file whose
        every row is raises ConfigError.
        """
        started = time.monotonic()
        source, mapping = await asyncio.to_thread(self._open)
        total = 0
        report = None if self.settings.report is None else ResultsWriter(self.settings.report)
        with source:
            checked = None
            if online:
                async with self._client_factory(self.settings.client) as client:
                    checked = await self._preflight(client, None, limit=None)
            self.progress.total_rows = source.total_rows
            preparer = self._preparer(mapping, None, checked)
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
                            if report is not None:
                                report.write(item)
                        else:
                            self.progress.record_valid()
                            if report is not None:
                                report.write_valid(item.row, item.line, item.key)
            finally:
                await self._thread.settle()
                if report is not None:
                    report.close()
        if total == 0 and not self._stop.is_set():
            if report is not None:
                report.path.unlink(missing_ok=True)
            raise InputError(f"{self.settings.input} has a header but no rows")
        return self._summary("validate", total, started, results=None, input_rows=source.total_rows)

    async def run(self) -> JobSummary:
        """Send every row that is not created yet; write the results file as outcomes arrive.

        Holds the results file's lock throughout: one run at a time per results file. Results in S3 are
        downloaded first, checkpointed while the job runs and uploaded at the end (see `storage`).
        """
        async with ledger_home(self.settings, self._s3, on_lost=lambda _error: self.request_stop()) as path:
            self.results_path = path
            return await self._run()

    async def _run(self) -> JobSummary:
        started = time.monotonic()
        settings = self.settings
        source, mapping = await asyncio.to_thread(self._open)
        with source:
            claim = await asyncio.to_thread(
                claim_ledger,
                self.results_path,
                input_path=settings.input,
                explicit=settings.results is not None,
                fingerprint=source.info.fingerprint,
                key_column=settings.mapping.key_column,
                job_id=settings.job_id,
            )
            self.job_id = claim.job_id
            try:
                total = await self._check_and_send(source, mapping, claim)
            finally:
                claim.previous.close()
        if self._refused is not None:
            raise self._refusal(self._refused.error)
        if total == 0 and not self._stop.is_set():
            raise InputError(f"{settings.input} has a header but no rows")
        summary = self._summary(
            "run", total, started, results=str(settings.results_location), input_rows=source.total_rows
        )
        if not summary.interrupted and not self._limit_reached:
            # A run stopped by its limit keeps the previous ledger, as an interrupted one does: it holds
            # the outcomes of the rows not reached, which the next run folds back in.
            finish(self.results_path)
        return summary

    async def _check_and_send(self, source: Source, mapping: ColumnMapping, claim: LedgerClaim) -> int:
        """Connect, check the ids (preflight), record the job file and send; return the rows taken.

        Until the job file is written, a failure or a stop leaves the results file as it was.
        """
        settings = self.settings
        client_settings = dataclasses.replace(settings.client, max_connections=settings.pool.max_concurrency)
        async with contextlib.AsyncExitStack() as stack:
            try:
                client = await stack.enter_async_context(self._client_factory(client_settings))
                checked = None
                if settings.preflight:
                    checked = await self._preflight(client, claim.previous, limit=settings.limit)
            except BaseException:
                claim.undo()
                raise
            if self._stop.is_set():
                claim.undo()
                return 0
            claim.commit(
                input_path=settings.input, fingerprint=source.info.fingerprint, options=settings.recorded()
            )
            preparer = self._preparer(mapping, claim.previous, checked)
            return await self._send_rows(client, source, preparer, claim)

    async def _send_rows(self, client: Any, source: Source, preparer: RowPreparer, claim: LedgerClaim) -> int:
        """Send every row; leave no results behind when nothing was decided, or nothing reached the
        service before it refused the credentials."""
        try:
            total = await self._send_all(client, source, preparer)
        except InputError as exc:
            # The file turned out unreadable part-way (a large CSV's background scan found bad bytes).
            # Rows already decided stay in the results file.
            if self.progress.rows_done == 0 and self.progress.sent == 0:
                claim.undo()
                raise
            raise InputError(
                f"{exc}\n{counted(self.progress.rows_done, 'row')} before it "
                f"{'is' if self.progress.rows_done == 1 else 'are'} recorded in "
                f"{self.settings.results_location} "
                f"({self.progress.sent} sent this run); nothing after it was sent. Fix the file "
                "(or --encoding) and run again to continue"
            ) from exc
        refused_unsent = self._refused is not None and self.progress.sent == 0
        if refused_unsent or (total == 0 and not self._stop.is_set()):
            # A header and no rows is an input problem; credentials refused before any row reached the
            # service leave nothing to record. Either way this run leaves no results behind.
            claim.undo()
        return total

    async def _send_all(self, client: Any, source: Source, preparer: RowPreparer) -> int:
        """Send every row of `source` as `preparer` decides; return how many rows were taken."""
        self.progress.total_rows = source.total_rows
        stage = SendStage(
            client,
            self.settings,
            job_id=self.job_id,
            progress=self.progress,
            sleep=self._sleep or self._stop_aware_sleep,
        )
        try:
            return await stage.run(
                self.results_path,
                functools.partial(self._next_items, source, source.chunks(), preparer),
                stop=self._stop,
                settle=self._thread.settle,
            )
        finally:
            self._refused, self._limit_reached = stage.refused, stage.limit_reached

    def _refusal(self, error: ClassifiedError) -> ServiceAccessError:
        """The job error for credentials or a permission the service refused while rows were sent."""
        refused = refused_error(error)
        if not self.progress.sent or self.progress.rows_done <= 1:
            return refused
        return ServiceAccessError(
            f"{refused}; the {self.progress.rows_done} rows decided so far are recorded in "
            f"{self.settings.results_location} and the next run continues"
        )

    def _summary(
        self, command: str, total: int, started: float, *, results: str | None, input_rows: int | None
    ) -> JobSummary:
        summary = self.progress.summarise(
            command=command,
            job_id=self.job_id,
            input_path=str(self.settings.input),
            results=results,
            total_rows=total,
            input_rows=input_rows,
            started=started,
            interrupted=self._stop.is_set() and self._refused is None,
            emulator=self.settings.client.emulator,
            key_column=self.settings.mapping.key_column,
            limit=self.settings.limit if command == "run" else None,
            limit_reached=self._limit_reached,
        )
        self.progress.total_rows = summary.total_rows  # a display's last frame shows the summary's total
        return summary
