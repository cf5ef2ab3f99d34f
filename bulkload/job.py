"""A job wires the stages together: source -> mapping -> validation -> prepare -> send loop -> ledger.

This is the only module that knows every stage. It never prints and never exits: the CLI turns a
`JobSummary` (or a `JobError`) into output and an exit code.

A run, in order: take the results file (for results in S3, their working copy: `storage.run_ledger`),
open the input and take the job id; read the input once to learn the ids its rows will use (prepass) and
check them with the service (preflight); only then record the job file and send. So a mistake that
affects every row, missing credentials or an unreachable endpoint found by preflight, stops the job with
nothing sent and the results file as it was. Data in memory that can be read only once (an iterator, a
RecordBatchReader) cannot be read before the run reads it: it is sent unchecked, as with preflight off.

Concurrency: reading, mapping and validating a chunk of rows is synchronous work, done in a worker thread
one chunk at a time so the event loop keeps sending while the next chunk is prepared. Requests go to the
workers through a bounded queue; outcomes come back out of order and are written in input order.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from bulkload.connect.client import connect_client
from bulkload.connect.findings import PreflightReport
from bulkload.errors import ConfigError, InputError, ServiceRefusedJobError
from bulkload.inputs import InputOpener, input_label, read_once
from bulkload.ledger import LedgerClaim, PreviousResults, ResultsWriter, claim_ledger, finish
from bulkload.ledger.memory_owner import claim_owner
from bulkload.mapping import ColumnMapping
from bulkload.prepare import Prepared, RowPreparer
from bulkload.prepass import preflight_rows
from bulkload.progress import JobProgress, JobSummary
from bulkload.records import RowOutcome, SourceRow
from bulkload.sending import SendStage, refusal, unreadable_part_way
from bulkload.settings import ClientFactory, JobSettings
from bulkload.source import Source
from bulkload.storage.access import S3Access
from bulkload.storage.run_ledger import ledger_home
from bulkload.threadwork import ThreadWork
from bulkload.validation import FileRules, RequestValidator

__all__ = ["ClientFactory", "Job", "JobSettings"]  # the settings live in bulkload.settings

log = logging.getLogger("bulkload.job")


class Job:
    """One run of an input against Amazon Connect (`run`), or a check of every row that sends nothing
    (`validate`).

    Build `JobSettings` (the input: a path, an `s3://` URL or data in memory, and at least
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
        self._s3 = S3Access(settings.s3.client_settings(settings.client))
        # Read by the pre-pass, then the run: an object in S3 at one version, data in memory converted once.
        self._input = InputOpener(settings.input, settings.source, self._s3)
        self._input_name = input_label(settings.input)  # what the input is, once opened
        self._client_factory = client_factory or connect_client
        self._stop = asyncio.Event()
        self._sleep = sleep
        self._refused: ServiceRefusedJobError | None = None
        self._limit_reached = False
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

    def _open(self, *, fingerprint: bool = False) -> tuple[Source, ColumnMapping]:
        """The input and its column mapping; `fingerprint`: hash data in memory for its job id."""
        source = self._input.open(fingerprint=fingerprint)
        self._input_name = source.info.name
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
            self._open,  # a second reading of the input, which needs no fingerprint
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
        every row is raises ConfigError (so does data in memory that can be read only once).
        """
        started = time.monotonic()
        if online and read_once(self.settings.input):
            raise ConfigError(f"{self._input_name} can be read only once: its ids cannot be checked online")
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
                        else:
                            self.progress.record_valid()
                        if report is not None:
                            report.write_verdict(item)
            finally:
                await self._thread.settle()
                if report is not None:
                    report.close()
        if total == 0 and not self._stop.is_set():
            if report is not None:
                report.path.unlink(missing_ok=True)
            raise InputError(f"{self._input_name} has a header but no rows")
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
        # Data in memory is hashed for its job id only when the caller does not name the job.
        opened = functools.partial(self._open, fingerprint=settings.job_id is None)
        source, mapping = await asyncio.to_thread(opened)
        with source:
            if self._stop.is_set():  # stopped while starting: the ledger is left untouched
                return self._summary(
                    "run", 0, started, results=str(settings.results_location), input_rows=source.total_rows
                )
            claim = await asyncio.to_thread(
                claim_ledger,
                self.results_path,
                **claim_owner(self.settings.input, source.info),
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
            raise refusal(self._refused.error, self.progress, settings.results_location)
        if total == 0 and not self._stop.is_set():
            raise InputError(f"{self._input_name} has a header but no rows")
        summary = self._summary(
            "run", total, started, results=str(settings.results_location), input_rows=source.total_rows
        )
        if not summary.interrupted:
            # A run stopped by its limit keeps the previous ledger, as an interrupted one does: it holds
            # the outcomes of the rows not reached, which the next run folds back in.
            finish(self.results_path, keep_previous=self._limit_reached)
        return summary

    async def _check_and_send(self, source: Source, mapping: ColumnMapping, claim: LedgerClaim) -> int:
        """Connect, check the ids (preflight), record the job file and send; return the rows taken.

        Until the job file is written, a failure or a stop leaves the results file as it was.
        """
        settings = self.settings
        client_settings = dataclasses.replace(settings.client, max_connections=settings.pool.max_concurrency)
        preflight = settings.preflight and not read_once(settings.input)
        if settings.preflight and not preflight:
            log.info("%s can be read only once: its ids are not checked before sending", self._input_name)
        async with contextlib.AsyncExitStack() as stack:
            try:
                client = await stack.enter_async_context(self._client_factory(client_settings))
                checked = None
                if preflight:
                    checked = await self._preflight(client, claim.previous, limit=settings.limit)
            except BaseException:
                claim.undo()
                raise
            if self._stop.is_set():
                claim.undo()
                return 0
            claim.commit(
                **claim_owner(self.settings.input, source.info),
                fingerprint=source.info.fingerprint,
                options=settings.recorded(),
            )
            preparer = self._preparer(mapping, claim.previous, checked)
            return await self._send_rows(client, source, preparer, claim)

    async def _send_rows(self, client: Any, source: Source, preparer: RowPreparer, claim: LedgerClaim) -> int:
        """Send every row; leave no results behind when nothing was decided, or nothing reached the
        service before it refused the credentials."""
        try:
            total = await self._send_all(client, source, preparer)
        except InputError as exc:
            if self.progress.rows_done == 0 and self.progress.sent == 0:
                claim.undo()
                raise
            raise unreadable_part_way(exc, self.progress, self.settings.results_location) from exc
        refused_unsent = self._refused is not None and self.progress.sent == 0
        if refused_unsent or total == 0:
            # A header and no rows is an input problem; credentials refused before any row reached the
            # service, or a stop before the first row, leave nothing to record. This run leaves the results
            # as they were.
            claim.undo(nothing_sent=refused_unsent)
        return total

    async def _send_all(self, client: Any, source: Source, preparer: RowPreparer) -> int:
        """Send every row of `source` as `preparer` decides; return how many rows were taken."""
        self.progress.total_rows = source.total_rows
        stage = SendStage(
            client,
            self.settings,
            job_id=self.job_id,
            progress=self.progress,
            results=self.results_path,
            next_items=functools.partial(self._next_items, source, source.chunks(), preparer),
            stop=self._stop,
            sleep=self._sleep or self._stop_aware_sleep,
        )
        try:
            # A chunk being prepared still reads the source and the index: settled before the end.
            return await stage.run(settle=self._thread.settle)
        finally:
            self._refused = stage.loop.refused
            self._limit_reached = stage.loop.limit_reached

    def _summary(
        self, command: str, total: int, started: float, *, results: str | None, input_rows: int | None
    ) -> JobSummary:
        summary = self.progress.summarise(
            command=command,
            job_id=self.job_id,
            input_path=self._input_name,
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
