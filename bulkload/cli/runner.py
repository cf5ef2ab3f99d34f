"""Running a job from the shell: signals, the progress display, the summary and the exit code.

A first Ctrl-C (or SIGTERM) asks the job to stop and save its results; a second one cancels it at once.
Errors the job can explain end with exit 2 and one line; anything else is a bug, said plainly, exit 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol, TypeVar

import click
from rich.console import Console

from bulkload.cli.locations import summary_clash, write_summary_to_s3
from bulkload.cli.output import (
    EXIT_INTERRUPTED,
    SummaryConsole,
    fail,
    print_summary,
    write_summary_json,
)
from bulkload.cli.settings import OutputOptions
from bulkload.display import live_progress, plain_progress
from bulkload.errors import BulkloadError, JobError
from bulkload.job import Job, JobSettings
from bulkload.launch import run_job
from bulkload.ledger.paths import ledger_files
from bulkload.progress import JobProgress, JobSummary
from bulkload.storage.url import S3Url

log = logging.getLogger("bulkload.cli")
T = TypeVar("T")

Command = Literal["run", "validate"]
"""What to do with the job: send its rows, or only check them."""


def execute(
    command: Command,
    settings: JobSettings,
    output: OutputOptions,
    *,
    use_emulator: bool = False,
    online: bool = False,
) -> NoReturn:
    """Run or validate the job (`online`: with preflight), print its summary, and exit with its exit code."""
    _check_output_paths(settings, output, writes_results=command == "run")
    console = SummaryConsole(stderr=False)
    progress_console = Console(stderr=True)

    async def drive_job(job: Job) -> JobSummary:
        return await _drive(job, command, output, progress_console, online=online)

    try:
        summary = run_async(lambda: run_job(settings, drive_job, emulator=use_emulator))
    except (KeyboardInterrupt, asyncio.CancelledError):  # a second Ctrl-C cancels the job at once
        click.echo("interrupted: the results written so far are saved; run again to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    _finish(summary, output, console, settings)


def _check_output_paths(settings: JobSettings, output: OutputOptions, *, writes_results: bool) -> None:
    """Refuse, before anything is sent, a --summary-json path that cannot be written or would overwrite
    the input or the results (the summary is written last, when an error can no longer stop anything);
    and a --report path that cannot be written or would overwrite the input or the summary."""
    summary = output.summary_json
    if isinstance(summary, S3Url):
        clash = summary_clash(summary, settings, writes_results=writes_results)
        if clash is not None:
            fail(f"--summary-json {summary} would overwrite {clash}; choose another path")
    local_input = [settings.input] if isinstance(settings.input, Path) else []  # not S3, nor in memory
    taken = list(local_input)
    if writes_results and isinstance(settings.results_location, Path):
        taken += ledger_files(settings.results_location)
    check_summary_path(output, taken)
    local_summary = [summary] if isinstance(summary, Path) else []
    _check_output_path("--report", settings.report, [*local_input, *local_summary])


def _check_output_path(option: str, path: Path | None, taken: Sequence[Path]) -> None:
    if path is None:
        return
    if not path.parent.is_dir():
        fail(f"{option} {path}: the directory {path.parent} does not exist")
    for other in taken:
        if path.resolve() == other.resolve():
            fail(f"{option} {path} would overwrite {other}; choose another path")
    if path.exists() and not path.is_file():
        fail(f"{option} {path} is not a regular file")


def check_summary_path(output: OutputOptions, taken: Sequence[Path]) -> None:
    """Refuse, before anything is sent, a --summary-json path that cannot be written or would overwrite
    one of the files `taken` (the summary is written last, when an error can no longer stop anything).

    A summary in S3 is checked by its caller, against the objects it knows of (see `locations`)."""
    if not isinstance(output.summary_json, S3Url):
        _check_output_path("--summary-json", output.summary_json, taken)


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`asyncio.run(make())`; a JobError exits 2 with its one line, a bug exits 1 saying so."""
    try:
        return asyncio.run(make())
    except JobError as exc:
        fail(str(exc))
    except BulkloadError as exc:  # pragma: no cover - every job-level error is a JobError
        fail(str(exc))
    except Exception as exc:
        # A bug in bulkload, not in the input: say so plainly; the traceback is for --log-level debug.
        log.debug("internal error", exc_info=True)
        click.echo(
            f"error: internal error in bulkload ({type(exc).__name__}: {exc}); the results written so far "
            "are saved and a re-run continues from them. Please report this with --log-level debug output.",
            err=True,
        )
        sys.exit(1)


async def _drive(
    job: Job, command: Command, output: OutputOptions, console: Console, *, online: bool = False
) -> JobSummary:
    """Run or validate `job` with signal handling and a progress display."""
    body = functools.partial(job.validate, online=online) if command == "validate" else job.run
    return await drive(job, body, output, console, command)


class Stoppable(Protocol):
    """A job the shell drives: its live figures, and a way to ask it to stop."""

    @property
    def progress(self) -> JobProgress:
        """What the progress display shows."""

    def request_stop(self) -> None:
        """Take no new row; let the calls in flight finish; keep what was written."""


async def drive(
    job: Stoppable, body: Callable[[], Awaitable[T]], output: OutputOptions, console: Console, name: str
) -> T:
    """`await body()` with signal handling (see `stop_on_signals`) and the progress display, titled `name`."""
    stop_on_signals(job)
    display = start_display(job, name, output, console)
    try:
        return await body()
    finally:
        if display is not None:
            display.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await display


def stop_on_signals(job: Stoppable) -> None:
    """SIGINT or SIGTERM: the first asks the job to stop cleanly, the next cancels the running task."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    stops = 0

    def on_signal(signame: str) -> None:
        nonlocal stops
        stops += 1
        if stops == 1:
            click.echo(
                f"\n{signame}: stopping; finishing the calls in flight and saving the results "
                "(again to stop at once)",
                err=True,
            )
            job.request_stop()
        elif main is not None:
            main.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig.name)


def start_display(
    job: Stoppable, name: str, output: OutputOptions, console: Console
) -> asyncio.Task[None] | None:
    """The progress display `output` asks for, as a task to cancel when the job ends (None: no display)."""
    mode = output.display(terminal=console.is_terminal)
    if mode == "bar":
        return asyncio.create_task(live_progress(job.progress, console, name))
    if mode == "plain":
        return asyncio.create_task(plain_progress(job.progress, output.progress_interval))
    return None


def _finish(summary: JobSummary, output: OutputOptions, console: Console, settings: JobSettings) -> NoReturn:
    print_summary(summary, console)
    if isinstance(output.summary_json, S3Url):
        try:
            write_summary_to_s3(summary, output.summary_json, settings)
        except JobError as exc:
            fail(f"cannot write the summary: {exc}")
    elif output.summary_json is not None:
        try:
            write_summary_json(summary, output.summary_json)
        except OSError as exc:
            fail(f"cannot write {output.summary_json}: {exc.strerror}")
    sys.exit(summary.exit_code)
