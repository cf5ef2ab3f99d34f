"""What people and schedulers see: logs, a live progress display or periodic plain lines, the final
summary, and errors with their exit code.

On a terminal: a rich progress bar. Elsewhere (a pipe, cron, systemd): a plain log line every few seconds.
Either way the summary ends the run, with the command that re-runs the rows that were not created.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, Any, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bulkload import startup
from bulkload.progress import JobProgress, JobSummary

progress_log = logging.getLogger("bulkload.progress")

EXIT_USAGE = 2
"""Usage, configuration or unreadable input: nothing was sent (or the summary could not be written)."""
EXIT_INTERRUPTED = startup.EXIT_INTERRUPTED
"""Stopped by a signal: the results written so far are saved, and a re-run continues from them."""


def fail(message: str) -> NoReturn:
    """Print `error: MESSAGE` on stderr and exit with EXIT_USAGE."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the row and key of row events."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        body: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("row", "key", "event"):
            if hasattr(record, name):
                body[name] = getattr(record, name)
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


def configure_logging(level: str, fmt: str, stream: IO[str] | None = None) -> None:
    """Send bulkload's logs to stderr as text or JSON; third-party loggers stay at WARNING."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("bulkload")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # Progress lines are what a cron job's log is for: shown unless only errors were asked for.
    progress_log.setLevel(min(root.level, logging.INFO) if root.level < logging.ERROR else logging.ERROR)
    # botocore logs request bodies (Name, Description: sensitive) at DEBUG: never below WARNING.
    for noisy in ("botocore", "aiobotocore", "aioboto3", "urllib3", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _counts_text(progress: JobProgress) -> str:
    c = progress.counts
    stats = progress.pool
    parts = [
        f"created {c.get('created', 0)}",
        f"invalid {c.get('invalid', 0)}",
        f"rejected {c.get('rejected', 0)}",
        f"failed {c.get('failed', 0)}",
    ]
    if stats is not None:
        parts.append(f"retrying {stats.retrying}")
        parts.append(f"throttled {stats.throttles}")
    return ", ".join(parts)


def _rate_text(progress: JobProgress) -> str:
    rate = progress.current_rate()
    text = f"rate {rate:.1f}/s of {progress.rate_limit:g}/s"
    stats = progress.pool
    if stats is not None:
        backoff = stats.backoff_until - time.monotonic()
        if backoff > 0:
            text += f", backing off {backoff:.0f}s"
    return text


async def plain_progress(progress: JobProgress, interval: float) -> None:
    """Log a progress line every `interval` seconds until cancelled (for pipes and cron)."""
    while True:
        await asyncio.sleep(interval)
        total = f"/{progress.total_rows}" if progress.total_rows is not None else ""
        elapsed = time.monotonic() - progress.started
        progress_log.info(
            "progress: %d%s rows (%s); %s; %.0fs elapsed",
            progress.rows_done,
            total,
            _counts_text(progress),
            _rate_text(progress),
            elapsed,
            extra={"event": "progress"},
        )


async def live_progress(progress: JobProgress, console: Console, description: str) -> None:
    """A rich progress bar: rows done of total, rate, ETA and outcome counts, until cancelled."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
        transient=False,
    )
    task: TaskID = bar.add_task(description, total=progress.total_rows, detail="")
    with bar:
        try:
            while True:
                detail = f"{_counts_text(progress)} | {_rate_text(progress)}"
                bar.update(task, completed=progress.rows_done, total=progress.total_rows, detail=detail)
                await asyncio.sleep(0.2)
        finally:
            detail = _counts_text(progress)
            bar.update(task, completed=progress.rows_done, total=progress.rows_done, detail=detail)


def _statuses(summary: JobSummary) -> list[str]:
    """The statuses a summary lists, in order: validate sends nothing, so its rows are valid or invalid."""
    if summary.command == "validate":
        return ["valid", "invalid"]
    return ["created", "invalid", "rejected", "failed"]


def summary_text(summary: JobSummary) -> list[str]:
    """The summary as plain lines (for cron mail and pipes)."""
    lines = [
        f"{summary.command}: {summary.input} ({summary.total_rows} rows) in {summary.elapsed_seconds:.1f}s"
    ]
    if summary.job_id:
        lines.append(f"job id: {summary.job_id}")
    counts = summary.counts
    lines.append("outcomes: " + ", ".join(f"{name} {counts.get(name, 0)}" for name in _statuses(summary)))
    if summary.command != "validate":
        lines.append(
            f"sent {summary.sent} rows this run, {summary.carried_over} created earlier; "
            f"{summary.attempts} calls, {summary.retries} retries, {summary.throttles} throttled"
        )
        if summary.achieved_rate is not None:
            lat = summary.latency_ms
            latency = (
                f"latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms"
                if lat["p50"] is not None
                else "no call succeeded, so no latency"
            )
            lines.append(
                f"rate {summary.achieved_rate:.2f} calls/s (limit {summary.rate_limit:g}/s); {latency}"
            )
    if summary.changed_after_created:
        lines.append(
            f"warning: {summary.changed_after_created} rows changed after their task was created and were not "
            "sent again; if this is new work at the same path, give it a new --results (or --job-id), or "
            "identify rows with --key"
        )
    if summary.stale_unknown_outcomes is not None:
        lines.append(f"warning: {summary.stale_unknown_outcomes.warning()}")
    for group in summary.top_errors:
        rows = ", ".join(str(r) for r in group["rows"])
        more = "" if group["count"] <= len(group["rows"]) else ", ..."
        lines.append(
            f"  {group['status']} {group['code']} x{group['count']} (rows {rows}{more}): {group['message']}"
        )
    if summary.results:
        lines.append(f"results: {summary.results}")
    if summary.interrupted:
        lines.append("interrupted: the results are saved; run the same command again to continue")
    elif summary.retry_command:
        lines.append(f"to re-run the rows not created: {summary.retry_command}")
    return lines


def print_summary(summary: JobSummary, console: Console) -> None:
    """Print the summary: a table on a terminal, plain lines elsewhere."""
    lines = summary_text(summary)
    if not console.is_terminal:
        for line in lines:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    # The first line (input, rows, elapsed) heads the table, which replaces the "outcomes:" line.
    heading = lines.pop(0)
    lines = [line for line in lines if not line.startswith("outcomes: ")]
    console.print(heading, markup=False, highlight=False, soft_wrap=True)
    table = Table(show_header=True)
    table.add_column("status")
    table.add_column("rows", justify="right")
    for name in _statuses(summary):
        table.add_row(name, str(summary.counts.get(name, 0)))
    table.add_row("[bold]total", f"[bold]{summary.total_rows}")
    console.print(table)
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


class SummaryConsole(Console):
    """rich's Console, except that a reader gone away (`| head`) does not turn the job's exit code into 1."""

    def on_broken_pipe(self) -> None:
        """Drop the rest of the summary: it has nowhere to go, and the job is done all the same."""
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_summary_json(summary: JobSummary, path: Path) -> None:
    """Write the summary for a scheduler."""
    path.write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")
