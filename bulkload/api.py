"""bulkload from Python: `load(data, results=..., **options)` runs a job and returns its summary.

`load` blocks until the job ends, on an event loop of its own; `aload` is the same call for code that
already runs in an event loop (a notebook, an async application), where `load` refuses to start. Both
take the CLI's options under the same names (`LoadOptions`) and build the job as `bulkload run` does
(`options.job_settings`, `launch.run_job`), so a file loads the same either way.

Neither prints nor exits: the summary (`LoadSummary`) says what happened, errors that stop the job are
`JobError`s, and row events go to the `bulkload` logger. Progress is shown only when asked for: the CLI's
bar (`progress=True`), or snapshots handed to a callback (`watch`).

Stopping: Ctrl-C during `load`, or cancelling the task that awaits `aload` (`task.cancel()`, a timeout,
interrupting a notebook's kernel), stops the job as Ctrl-C stops `bulkload run`: no new row is sent, the
calls in flight finish, the results are saved. Then the interruption goes on: `load` raises
KeyboardInterrupt, `aload` CancelledError, each with a note that says where the results are. A stopped
load does not return as if it had finished: code after it must not run on half the rows. A second
interruption stops at once, abandoning the calls in flight, whose rows the next call settles with their
same ClientTokens. Calling `load` again with the same data and results continues the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Unpack

from bulkload.inputs import InputData, is_path
from bulkload.job import Job, JobSettings
from bulkload.launch import run_job
from bulkload.options import LoadOptions, job_settings
from bulkload.progress import JobSummary
from bulkload.summary import LoadSummary
from bulkload.watch import DEFAULT_INTERVAL, ProgressReporter, ProgressSnapshot, check_interval

__all__ = ["Progress", "aload", "load"]

log = logging.getLogger("bulkload.api")

Progress = bool | Callable[[ProgressSnapshot], object]
"""`progress=`: False for nothing, True for the CLI's progress bar, or a callback of snapshots."""


def load(
    data: InputData,
    *,
    results: str | Path | None = None,
    progress: Progress = False,
    progress_interval: float = DEFAULT_INTERVAL,
    **options: Unpack[LoadOptions],
) -> LoadSummary:
    """Create one Amazon Connect task per row of `data`, exactly once; wait, and return the summary.

    `data`: the path or `s3://bucket/key` URL of a CSV, Parquet or Excel file (read as `bulkload run`
    reads it), a pandas DataFrame, a pyarrow Table or RecordBatchReader, or an iterable of dicts (one per
    row). Data in memory reads as it would once written to Parquet: integers without `.0`, missing values (None, NaN, NA, NaT)
    absent, timestamps in ISO 8601 (naive ones in `timezone`), categoricals as their values, a named
    index as a column.

    `results`: the results file, the job's record: one line per row with its status and its task's
    ContactId or its error. Loading again into the same results sends only the rows not created yet, with
    the same ClientTokens: the same data sends nothing, and data whose invalid rows were fixed sends only
    those. A file's default is `<stem>.results.csv` beside it; data in memory needs `results`.

    Options, each the `bulkload run` option of the same name (`instance_id` for `--instance-id`), with the
    same default (see `LoadOptions`):
        instance_id, flow_id, template_id, quick_connect_id: for rows without their own
        mapping: fill task fields from columns, e.g. {"Name": "Customer", "Attributes.tier": "Tier"}
        ignore_columns, name_template, description_template, timezone ("UTC")
        key: the column that identifies a row across calls (default: its row number)
        job_id: the job the ClientTokens derive from (default: the results file's, else from the data's
            content, which is then hashed for it); required for data read only once (a
            RecordBatchReader, an iterator); one per day for a nightly job
        rate (2 calls/s), burst (5), concurrency, max_attempts (8), adaptive (True), resend_edited (False)
        max_consecutive_rejects (20): stop sending the rows of a routing id or instance once the service
            refused that many of them in a row with the same error (0: never)
        preflight (True): check the ids the rows use with the service before the first row is sent
            (not possible for data read only once, which is sent unchecked)
        limit: send only the first N rows not created yet, then stop: a canary; call again without it
        endpoint_url, region, profile; emulator=True runs against a built-in local emulator
        format, encoding, delimiter, sheet: how to read a file
        s3_endpoint_url, workdir, checkpoint_interval (30 s), lock_wait (0 s): for `s3://` data and
            results (see `storage`)

    `progress`: True shows the CLI's progress bar (on stderr); a callable receives a `ProgressSnapshot`
    every `progress_interval` seconds and when the job ends. Nothing is printed otherwise.

    Returns a `LoadSummary`: rows by status (`counts`), `exit_code` (0 when every row is created),
    `elapsed`, and `outcomes()`, the results file as a DataFrame. A row that fails never raises: it is in
    the summary and the results. Raises `ConfigError` for an option that cannot be used (TypeError for an
    unknown one), another `JobError` when the job cannot run (an unreadable input, refused credentials),
    RuntimeError inside a running event loop (use `aload` there). Ctrl-C stops the job cleanly, saves the
    results and raises KeyboardInterrupt; calling `load` again continues.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "bulkload.load() waits for its job, so it cannot run in a running event loop (a notebook, an "
            "async application): there, use `await bulkload.aload(...)`, with the same arguments"
        )
    request = _Load(data, results, progress, progress_interval, options)
    with asyncio.Runner() as runner:
        try:
            return runner.run(request.run())
        except KeyboardInterrupt as exc:  # the runner turns Ctrl-C into a cancellation, then back
            exc.add_note(request.stop_note())
            raise exc from None  # where the loop was when interrupted is of no use to the caller


async def aload(
    data: InputData,
    *,
    results: str | Path | None = None,
    progress: Progress = False,
    progress_interval: float = DEFAULT_INTERVAL,
    **options: Unpack[LoadOptions],
) -> LoadSummary:
    """`load`, for code in a running event loop (a notebook, an async application): same arguments.

    Cancelling the task that awaits it (`task.cancel()`, `asyncio.timeout`, interrupting the notebook's
    kernel) stops the job cleanly, as Ctrl-C does `load`: no new row is sent, the calls in flight finish,
    the results are saved; then CancelledError is raised. Awaiting `aload` again continues the job.
    """
    return await _Load(data, results, progress, progress_interval, options).run()


class _Load:
    """One call of `load` or `aload`: its settings, checked when made, and how to run and stop it."""

    def __init__(
        self,
        data: InputData,
        results: str | Path | None,
        progress: Progress,
        interval: float,
        options: LoadOptions,
    ) -> None:
        self.settings: JobSettings = job_settings(data, options, results=results)
        self.emulator = bool(options.get("emulator"))
        self.in_memory = not is_path(data)
        self.progress = progress
        self.interval = check_interval(interval)
        self.stopped: JobSummary | None = None  # the summary of a job stopped by an interruption

    async def run(self) -> LoadSummary:
        """Run the job to its end; on cancellation, stop it cleanly first (see the module doc)."""
        summary = await run_job(self.settings, self._drive, emulator=self.emulator)
        return LoadSummary.of(summary, in_memory=self.in_memory)

    async def _drive(self, job: Job) -> JobSummary:
        reporter = self._reporter(job)
        display = self._display(job, reporter)
        run = asyncio.ensure_future(job.run())
        try:
            try:
                summary = await asyncio.shield(run)
            except asyncio.CancelledError as exc:
                job.request_stop()
                # A second cancellation reaches the job itself: it stops at once, saving what it has.
                self.stopped = await run
                exc.add_note(self.stop_note())
                log.warning("%s", self.stop_note())
                raise
        finally:
            if display is not None:
                display.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await display
        if reporter is not None:
            if reporter.error is not None:
                reporter.error.add_note(self.stop_note(summary if summary.interrupted else None))
                raise reporter.error
            reporter.report()
        return summary

    def _reporter(self, job: Job) -> ProgressReporter | None:
        if callable(self.progress):
            return ProgressReporter(job.progress, self.progress, self.interval, job.request_stop)
        return None

    def _display(self, job: Job, reporter: ProgressReporter | None) -> asyncio.Task[None] | None:
        """The progress display asked for, as a task to cancel when the job ends (None: none)."""
        if reporter is not None:
            return asyncio.create_task(reporter.run())
        if self.progress is True:
            from rich.console import Console  # noqa: PLC0415 - only for the bar

            from bulkload.display import live_progress  # noqa: PLC0415 - imports rich: only for the bar

            return asyncio.create_task(live_progress(job.progress, Console(stderr=True), "load"))
        return None

    def stop_note(self, summary: JobSummary | None = None) -> str:
        """What a stopped load says: how far it got, where the results are, how to go on."""
        summary = summary or self.stopped
        results = self.settings.results_location
        if summary is None:
            return (
                f"bulkload stopped at once: the results written so far are saved in {results}; call load "
                "again with the same data and results to continue"
            )
        counts = ", ".join(f"{n:,} {status}" for status, n in sorted(summary.counts.items()))
        return (
            f"bulkload stopped after {sum(summary.counts.values()):,} rows ({counts or 'none'}; "
            f"{summary.sent:,} sent this call); the results are saved in {results}: call load again "
            "with the same data and results to continue (rows created are never sent again)"
        )
