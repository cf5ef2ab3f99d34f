"""Running a job from the shell: signals, the progress display, the summary and the exit code.

A first Ctrl-C (or SIGTERM) asks the job to stop and save its results; a second one cancels it at once.
Errors the job can explain end with exit 2 and one line; anything else is a bug, said plainly, exit 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import click
from rich.console import Console

from bulkload.cli.emulator import with_emulator
from bulkload.cli.locations import summary_clash, write_summary_to_s3
from bulkload.cli.output import (
    EXIT_INTERRUPTED,
    SummaryConsole,
    fail,
    live_progress,
    plain_progress,
    print_summary,
    write_summary_json,
)
from bulkload.cli.settings import OutputOptions
from bulkload.errors import BulkloadError, JobError
from bulkload.job import Job, JobSettings
from bulkload.ledger.paths import ledger_files
from bulkload.progress import JobSummary
from bulkload.storage.url import S3Url

log = logging.getLogger("bulkload.cli")
T = TypeVar("T")

Command = Literal["run", "validate"]
"""What to do with the job: send its rows, or only check them."""


def execute(
    command: Command, settings: JobSettings, output: OutputOptions, *, use_emulator: bool = False
) -> NoReturn:
    """Run or validate the job, print its summary, and exit with its exit code."""
    _check_summary_path(settings, output, writes_results=command == "run")
    console = SummaryConsole(stderr=False)
    progress_console = Console(stderr=True)

    async def body(final: JobSettings) -> JobSummary:
        return await _drive(Job(final), command, output, progress_console)

    try:
        summary = _run_async(lambda: with_emulator(settings, body, use=use_emulator))
    except (KeyboardInterrupt, asyncio.CancelledError):  # a second Ctrl-C cancels the job at once
        click.echo("interrupted: the results written so far are saved; run again to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    _finish(dataclasses.replace(summary, emulator=use_emulator), output, console, settings)


def _check_summary_path(settings: JobSettings, output: OutputOptions, *, writes_results: bool) -> None:
    """Refuse, before anything is sent, a --summary-json path that cannot be written or would overwrite
    the input or the results (the summary is written last, when an error can no longer stop anything)."""
    path = output.summary_json
    if path is None:
        return
    if isinstance(path, S3Url):
        clash = summary_clash(path, settings, writes_results=writes_results)
        if clash is not None:
            fail(f"--summary-json {path} would overwrite {clash}; choose another path")
        return
    if not path.parent.is_dir():
        fail(f"--summary-json {path}: the directory {path.parent} does not exist")
    taken = [settings.input] if isinstance(settings.input, Path) else []
    if writes_results and isinstance(settings.results_location, Path):
        taken += ledger_files(settings.results_location)
    for other in taken:
        if path.resolve() == other.resolve():
            fail(f"--summary-json {path} would overwrite {other}; choose another path")
    if path.exists() and not path.is_file():
        fail(f"--summary-json {path} is not a regular file")


def _run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
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


async def _drive(job: Job, command: Command, output: OutputOptions, console: Console) -> JobSummary:
    """Run or validate `job` with signal handling and a progress display."""
    _stop_on_signals(job)
    display = _start_display(job, command, output, console)
    try:
        return await (job.validate() if command == "validate" else job.run())
    finally:
        if display is not None:
            display.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await display


def _stop_on_signals(job: Job) -> None:
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


def _start_display(
    job: Job, command: Command, output: OutputOptions, console: Console
) -> asyncio.Task[None] | None:
    """The progress display `output` asks for, as a task to cancel when the job ends (None: no display)."""
    mode = output.display(terminal=console.is_terminal)
    if mode == "bar":
        return asyncio.create_task(live_progress(job.progress, console, command))
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
