"""Wires the stages into a job: source -> mapping -> validation -> tokens -> pool -> results.

This is the only module that knows every stage. It never prints and never exits: the CLI turns a
`JobSummary` (or a `JobError`) into output and an exit code.

Concurrency: reading, mapping and validating a chunk of rows is synchronous work, done in a worker thread
one chunk at a time so the event loop keeps sending while the next chunk is prepared. Requests go to the
pool through a bounded queue; outcomes come back out of order and are written in input order.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import shlex
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.errors import InputError, ServiceAccessError
from bulkload.ledger import (
    InOrderWriter,
    PreviousResults,
    ResultsLock,
    ResultsWriter,
    check_results_file,
    finish,
    has_ledger,
    open_previous,
    pending_path,
    resolve_job_id,
    undo_run,
    write_job_file,
)
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.pool import PoolSettings, PoolStats, RowSender, ServiceRefusedJob
from bulkload.records import MappedRow, Problem, RowOutcome, SourceRow, Status, TaskRequest
from bulkload.source import Source, SourceOptions, open_source
from bulkload.tokens import client_token, request_hash
from bulkload.validation import FileRules, RequestValidator, describe_problems

log = logging.getLogger("bulkload.pipeline")

EDITED_AFTER_UNKNOWN = "EditedAfterUnknownOutcome"


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


@dataclass
class ErrorGroup:
    """Rows that ended with the same status and error code: a count, one message, a few example rows."""

    status: str
    code: str
    message: str
    count: int = 0
    rows: list[int] = field(default_factory=list)


@dataclass
class JobProgress:
    """Live figures of a running job, read by progress displays."""

    total_rows: int | None = None
    rows_done: int = 0
    carried_over: int = 0
    changed_after_created: int = 0  # created rows whose content differs now: never sent again
    sent: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    pool: PoolStats | None = None
    rate_limit: float = 0.0
    current_rate: Callable[[], float] = lambda: 0.0
    in_flight: Callable[[], int] = lambda: 0
    errors: dict[tuple[str, str], ErrorGroup] = field(default_factory=dict)

    def record(self, outcome: RowOutcome) -> None:
        """Count one written outcome (and log it: the row and key, never the row's content)."""
        if outcome.status is Status.CREATED:
            log.debug(
                "row %d (key %s): created %s",
                outcome.row,
                outcome.key,
                outcome.contact_id,
                extra={"row": outcome.row, "key": outcome.key, "event": "outcome"},
            )
        else:
            log.info(
                "row %d (key %s): %s %s: %s",
                outcome.row,
                outcome.key,
                outcome.status.value,
                outcome.error_code,
                outcome.error_message,
                extra={"row": outcome.row, "key": outcome.key, "event": "outcome"},
            )
        self.rows_done += 1
        self.counts[outcome.status.value] += 1
        if outcome.status is not Status.CREATED:
            group = self.errors.get((outcome.status.value, outcome.error_code))
            if group is None:
                group = ErrorGroup(outcome.status.value, outcome.error_code, outcome.error_message)
                self.errors[(outcome.status.value, outcome.error_code)] = group
            group.count += 1
            if len(group.rows) < 5:
                group.rows.append(outcome.row)


@dataclass(frozen=True, kw_only=True)
class JobSummary:
    """What a finished (or stopped) job did; `exit_code` follows the CLI contract."""

    command: str
    job_id: str
    input: str
    results: str | None
    total_rows: int
    counts: dict[str, int]
    sent: int
    carried_over: int
    attempts: int
    retries: int
    throttles: int
    rate_limit: float
    achieved_rate: float | None
    latency_ms: dict[str, float | None]
    elapsed_seconds: float
    top_errors: list[dict[str, Any]]
    interrupted: bool
    not_reached: bool
    changed_after_created: int = (
        0  # created earlier, edited since, not sent again (see the summary's warning)
    )
    emulator: bool = False  # run against the built-in emulator: its retry needs --emulator too

    @property
    def exit_code(self) -> int:
        """0 every row created (or valid, for validate); 1 some rows not; 130 interrupted."""
        if self.interrupted:
            return 130
        ok = Status.CREATED.value if self.command != "validate" else "valid"
        return 0 if self.counts.get(ok, 0) == self.total_rows else 1

    @property
    def retry_command(self) -> str | None:
        """The exact command that re-runs the rows not created; None when there are none to re-run.

        An interrupted job is continued by its own command instead, which the caller knows.
        """
        if self.command == "validate" or self.interrupted or self.exit_code == 0 or not self.results:
            return None
        return f"bulkload retry {shlex.quote(self.results)}" + (" --emulator" if self.emulator else "")

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data, for `--summary-json`."""
        body = dataclasses.asdict(self)
        body["exit_code"] = self.exit_code
        body["retry_command"] = self.retry_command
        return body


def _outcome_unknown(prev: RowOutcome) -> bool:
    """Whether an earlier outcome left a task that may exist: a failed row, or one made invalid since."""
    return prev.status in (Status.FAILED, Status.INVALID) and bool(prev.client_token and prev.request_hash)


T = TypeVar("T")


class _ThreadWork:
    """Runs blocking calls in a thread, one at a time, and can wait for the current one to end.

    A task awaiting `asyncio.to_thread` can be cancelled, but its thread runs on: closing the source or
    the results index under it crashes the thread (sqlite can even take the process down). Every blocking
    call goes through `run`, and whoever closes those resources first awaits `settle`.
    """

    def __init__(self) -> None:
        self._current: asyncio.Future[Any] | None = None

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        self._current = asyncio.get_running_loop().run_in_executor(None, functools.partial(func, *args))
        return await asyncio.shield(self._current)

    async def settle(self) -> None:
        if self._current is not None and not self._current.done():
            await asyncio.wait({self._current})


class Job:
    """One run of an input against the service (or a validation of it).

    Create it, optionally read `progress` from another task while it runs, call `request_stop()` from a
    signal handler to stop it gracefully.
    """

    def __init__(
        self, settings: JobSettings, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self.settings = settings
        self.progress = JobProgress(rate_limit=settings.pool.rate)
        self._stop = asyncio.Event()
        self._sleep = sleep
        self._fatal: ServiceRefusedJob | None = None
        self._crash: BaseException | None = None  # a bug in a worker: stop everything, then re-raise it
        self._thread = _ThreadWork()
        self.job_id = ""
        self.source: Source | None = None

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

    # -- preparing rows (runs in a worker thread, one chunk at a time) --------------------------------

    def _prepare(
        self,
        chunks: Iterator[list[SourceRow]],
        mapping: ColumnMapping,
        validator: RequestValidator,
        rules: FileRules,
        previous: PreviousResults | None,
    ) -> list[TaskRequest | RowOutcome] | None:
        chunk = next(chunks, None)
        if chunk is None:
            return None
        items: list[TaskRequest | RowOutcome] = []
        for src in chunk:
            mapped = mapping.map_row(src)
            repeated = rules.check_key(mapped)
            if repeated:
                # Before the lookup: a repeated key must not inherit the outcome of the row that owns it.
                items.append(self._invalid(mapped, mapped.problems + repeated, mapping))
                continue
            prev = previous.get(mapped.key) if previous is not None else None
            if prev is not None and prev.status is Status.CREATED:
                rules.count_created(mapped)  # its task counts towards its PreviousContactId's 12
                # Created rows are never sent again, even if the row was edited since.
                if mapped.params and prev.request_hash and request_hash(mapped.params) != prev.request_hash:
                    self.progress.changed_after_created += 1
                    log.warning(
                        "row %d (key %s) changed after its task was created; it is not sent again",
                        src.row,
                        mapped.key,
                        extra={"row": src.row, "key": mapped.key},
                    )
                items.append(dataclasses.replace(prev, row=src.row, line=src.line))
                continue
            items.append(self._check(mapped, mapping, validator, rules, prev))
        return items

    def _check(
        self,
        mapped: MappedRow,
        mapping: ColumnMapping,
        validator: RequestValidator,
        rules: FileRules,
        prev: RowOutcome | None,
    ) -> TaskRequest | RowOutcome:
        problems = mapped.problems or validator.validate(mapped.params) or rules.check(mapped)
        if problems:
            invalid = self._invalid(mapped, problems, mapping)
            if prev is not None and _outcome_unknown(prev):
                # Keep the unknown attempt's token and hash: once the row is fixed, it must be resolved
                # with that token (unchanged) or held back (edited), never sent as a new task.
                invalid = dataclasses.replace(
                    invalid,
                    client_token=prev.client_token,
                    request_hash=prev.request_hash,
                    error_message=f"{invalid.error_message} (an earlier attempt of this row, whose outcome "
                    "is unknown, is kept: see EditedAfterUnknownOutcome)",
                )
            return invalid
        req_hash = request_hash(mapped.params)
        if (
            prev is not None
            and _outcome_unknown(prev)
            and prev.request_hash != req_hash
            and not self.settings.resend_edited
        ):
            # The earlier attempt may have created a task under the old token. Sending the edited row under
            # a new token could make a second task, so hold it until the user decides.
            return dataclasses.replace(
                prev,
                row=mapped.row,
                line=mapped.line,
                status=Status.FAILED,
                error_code=EDITED_AFTER_UNKNOWN,
                error_message=(
                    "the row was edited after an attempt whose outcome is unknown, so its task may already "
                    "exist; restore the row as it was to resolve that attempt, or pass --resend-edited to "
                    "send the edited row as a new task"
                ),
            )
        token = str(mapped.params.get("ClientToken") or client_token(self.job_id, mapped.key, req_hash))
        params = {k: v for k, v in mapped.params.items() if k != "ClientToken"}
        return TaskRequest(
            row=mapped.row,
            line=mapped.line,
            key=mapped.key,
            params=params,
            client_token=token,
            request_hash=req_hash,
        )

    def _invalid(
        self, mapped: MappedRow, problems: tuple[Problem, ...], mapping: ColumnMapping
    ) -> RowOutcome:
        code, message = describe_problems(problems, mapping.column_for)
        return RowOutcome(
            row=mapped.row,
            line=mapped.line,
            key=mapped.key,
            status=Status.INVALID,
            job_id=self.job_id,
            error_code=code,
            error_message=message,
        )

    # -- running ---------------------------------------------------------------------------------------

    def _open(self) -> tuple[Source, ColumnMapping]:
        source = open_source(self.settings.input, self.settings.source)
        try:
            mapping = ColumnMapping.from_header(source.info.header, self.settings.mapping)
        except BaseException:
            source.close()
            raise
        return source, mapping

    async def validate(self) -> JobSummary:
        """Map and validate every row; send nothing. Invalid rows are reported through `progress`."""
        started = time.monotonic()
        source, mapping = await asyncio.to_thread(self._open)
        self.source = source
        self.progress.total_rows = source.total_rows
        validator = RequestValidator()
        rules = FileRules(check_duplicate_keys=self.settings.mapping.key_column is not None)
        total = 0
        with source:
            chunks = source.chunks()
            try:
                while not self._stop.is_set():
                    items = await self._thread.run(self._prepare, chunks, mapping, validator, rules, None)
                    if items is None:
                        break
                    if self.progress.total_rows is None:
                        self.progress.total_rows = source.total_rows
                    for item in items:
                        total += 1
                        if isinstance(item, RowOutcome):
                            self.progress.record(item)
                        else:
                            self.progress.rows_done += 1
                            self.progress.counts["valid"] += 1
            finally:
                await self._thread.settle()
        if total == 0 and not self._stop.is_set():
            raise InputError(f"{self.settings.input} has a header but no rows")
        return self._summary("validate", total, started, results=None)

    async def run(self) -> JobSummary:
        """Send every row that is not created yet; write the results file as outcomes arrive.

        Holds the results file's lock throughout: one run at a time per results file (see `lock`).
        """
        with ResultsLock(self.settings.results_path):
            return await self._run()

    async def _run(self) -> JobSummary:
        started = time.monotonic()
        settings = self.settings
        source, mapping = await asyncio.to_thread(self._open)
        self.source = source
        results_path = settings.results_path
        with source:
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
                try:
                    total = await self._send_all(source, mapping, previous, results_path)
                except InputError as exc:
                    # The file turned out unreadable part-way (a large CSV's background scan found bad
                    # bytes: see source._CsvScan). Rows already decided stay in the results file.
                    if self.progress.rows_done == 0 and self.progress.sent == 0:
                        undo_run(results_path, had_ledger=had_ledger)
                        raise
                    raise InputError(
                        f"{exc}\n{self.progress.rows_done} rows before it are recorded in {results_path} "
                        f"({self.progress.sent} sent this run); nothing after it was sent. Fix the file "
                        "(or --encoding) and run again to continue"
                    ) from exc
                if total == 0 and not self._stop.is_set() and self._fatal is None:
                    # A header and no rows: an input problem, so this run leaves no results behind.
                    undo_run(results_path, had_ledger=had_ledger)
            finally:
                previous.close()
        if self._fatal is not None:
            raise ServiceAccessError(
                f"the service refused the job's credentials or permissions ({self._fatal.error.code}: "
                f"{self._fatal.error.message}); nothing more was sent. Check the credentials, --region, "
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

    async def _send_all(
        self, source: Source, mapping: ColumnMapping, previous: PreviousResults, results_path: Path
    ) -> int:
        settings = self.settings
        self.progress.total_rows = source.total_rows
        validator = RequestValidator()
        rules = FileRules(check_duplicate_keys=settings.mapping.key_column is not None)
        client_settings = dataclasses.replace(settings.client, max_connections=settings.pool.max_concurrency)
        total = 0
        async with connect_client(client_settings) as client:
            sender = RowSender(
                client, settings.pool, job_id=self.job_id, sleep=self._sleep or self._stop_aware_sleep
            )
            self.progress.pool = sender.stats
            self.progress.current_rate = lambda: sender.rate.rate
            self.progress.in_flight = lambda: sender.gate.in_flight
            writer = ResultsWriter(results_path)
            ordered = InOrderWriter(writer, on_write=self.progress.record, pending=pending_path(results_path))
            queue: asyncio.Queue[TaskRequest] = asyncio.Queue(maxsize=settings.pool.max_concurrency * 2)
            busy = 0
            idle = asyncio.Event()
            idle.set()

            async def work() -> None:
                nonlocal busy
                while True:
                    request = await queue.get()
                    busy += 1
                    idle.clear()
                    try:
                        outcome = await sender.send(request)
                    except ServiceRefusedJob as refused:
                        if self._fatal is None:
                            self._fatal = refused
                        self._stop.set()
                        sender.stop()  # now, not when the main task next runs: send nothing more
                        outcome = sender.outcome(
                            request,
                            Status.REJECTED,
                            1,
                            error_code=refused.error.code,
                            error_message=refused.error.message,
                        )
                    except Exception as exc:  # noqa: BLE001 - re-raised once the pool has stopped
                        # A bug, not a row's outcome: the row stays unwritten (a re-run sends it with the
                        # same token), the other workers stop sending, and the job raises it at the end.
                        if self._crash is None:
                            self._crash = exc
                        self._stop.set()
                        sender.stop()
                        outcome = None
                    finally:
                        busy -= 1
                        if busy == 0:
                            idle.set()
                        queue.task_done()
                    if outcome is not None:
                        self.progress.sent += 1
                        ordered.complete(outcome)

            async def produce() -> None:
                nonlocal total
                chunks = source.chunks()
                while not self._stop.is_set():
                    items = await self._thread.run(self._prepare, chunks, mapping, validator, rules, previous)
                    if items is None:
                        return
                    if self.progress.total_rows is None:
                        self.progress.total_rows = source.total_rows
                    for item in items:
                        if self._stop.is_set():
                            return
                        total += 1
                        ordered.expect(item.row)
                        if isinstance(item, RowOutcome):
                            if item.status is Status.CREATED:
                                self.progress.carried_over += 1
                            ordered.complete(item)
                        else:
                            await queue.put(item)

            workers = [asyncio.create_task(work()) for _ in range(settings.pool.max_concurrency)]
            producer = asyncio.create_task(produce())
            stopper = asyncio.create_task(self._stop.wait())
            try:
                await asyncio.wait({producer, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if producer.done() and producer.exception() is None and not self._stop.is_set():
                    joined = asyncio.create_task(queue.join())
                    await asyncio.wait({joined, stopper}, return_when=asyncio.FIRST_COMPLETED)
                    joined.cancel()
                if self._stop.is_set() or (producer.done() and producer.exception() is not None):
                    sender.stop()
                    producer.cancel()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(idle.wait(), settings.drain_timeout)
            finally:
                stopper.cancel()
                producer.cancel()
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(producer, stopper, *workers, return_exceptions=True)
                await self._thread.settle()  # a chunk being prepared still reads the source and the index
                ordered.flush_all()
                ordered.close()
                writer.close()
            if not producer.cancelled() and producer.exception() is not None:
                raise producer.exception()  # type: ignore[misc]
            if self._crash is not None:
                raise self._crash
        return total

    def _summary(self, command: str, total: int, started: float, *, results: str | None) -> JobSummary:
        progress = self.progress
        stats = progress.pool
        elapsed = time.monotonic() - started
        latency = stats.latency if stats else None
        achieved = None
        if stats and stats.attempts and elapsed > 0:
            achieved = round(stats.attempts / elapsed, 3)
        groups = sorted(progress.errors.values(), key=lambda g: -g.count)[:10]
        stopped = self._stop.is_set() and self._fatal is None
        return JobSummary(
            command=command,
            job_id=self.job_id,
            input=str(self.settings.input),
            results=results,
            total_rows=total,
            counts=dict(progress.counts),
            sent=progress.sent,
            carried_over=progress.carried_over,
            attempts=stats.attempts if stats else 0,
            retries=stats.retries if stats else 0,
            throttles=stats.throttles if stats else 0,
            rate_limit=self.settings.pool.rate,
            achieved_rate=achieved,
            latency_ms={
                f"p{p}": (round(v * 1000, 1) if (v := latency.percentile(p)) is not None else None)
                for p in (50, 95, 99)
            }
            if latency
            else {"p50": None, "p95": None, "p99": None},
            elapsed_seconds=round(elapsed, 3),
            top_errors=[dataclasses.asdict(g) for g in groups],
            interrupted=stopped,
            not_reached=stopped,
            changed_after_created=progress.changed_after_created,
        )
