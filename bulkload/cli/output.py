"""What people and schedulers see: logs, the final summary, and errors with their exit code.

The progress displays are `bulkload.display`'s: on a terminal a rich progress bar, elsewhere (a pipe,
cron, systemd) a plain log line every few seconds. Either way the summary ends the run, with the command
that re-runs the rows that were not created.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import IO, Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from bulkload import startup
from bulkload.display import progress_log
from bulkload.plurals import counted
from bulkload.progress import JobSummary
from bulkload.records import VALID, Status
from bulkload.undo import StopSummary

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


def _statuses(summary: JobSummary) -> list[str]:
    """The statuses a summary lists, in order: validate sends nothing, so its rows are valid or invalid."""
    if summary.command == "validate":
        return [VALID, Status.INVALID.value]
    return ["created", "invalid", "rejected", "failed"]


def _rows_text(summary: JobSummary) -> str:
    """The input's rows, and for a job stopped before the end, how many it read."""
    if summary.rows_read is None:
        return counted(summary.total_rows, "row")
    if not summary.total_rows_known:
        return f"{counted(summary.rows_read, 'row')} read before the stop; the input's row count is not known yet"
    return f"{counted(summary.total_rows, 'row')}, {summary.rows_read} read before the stop"


def rate_line(achieved: float, limit: float, latency_ms: dict[str, float | None]) -> str:
    """The summary's line on the rate achieved against the limit, and the latency percentiles."""
    latency = (
        f"latency p50 {latency_ms['p50']} ms, p95 {latency_ms['p95']} ms, p99 {latency_ms['p99']} ms"
        if latency_ms["p50"] is not None
        else "no call succeeded, so no latency"
    )
    return f"rate {achieved:.2f} calls/s (limit {limit:g}/s); {latency}"


def error_lines(top_errors: list[dict[str, Any]]) -> list[str]:
    """The summary's lines on the most frequent errors: status, code, count, example rows, message."""
    lines = []
    for group in top_errors:
        rows = ", ".join(str(r) for r in group["rows"])
        more = "" if group["count"] <= len(group["rows"]) else ", ..."
        label = "row" if group["count"] == 1 else "rows"
        lines.append(
            f"  {group['status']} {group['code']} x{group['count']} ({label} {rows}{more}): {group['message']}"
        )
    return lines


def summary_text(summary: JobSummary) -> list[str]:
    """The summary as plain lines (for cron mail and pipes)."""
    lines = [f"{summary.command}: {summary.input} ({_rows_text(summary)}) in {summary.elapsed_seconds:.1f}s"]
    if summary.job_id:
        lines.append(f"job id: {summary.job_id}")
    counts = summary.counts
    lines.append("outcomes: " + ", ".join(f"{name} {counts.get(name, 0)}" for name in _statuses(summary)))
    if summary.command != "validate":
        lines.append(
            f"sent {counted(summary.sent, 'row')} this run, {summary.carried_over} created earlier; "
            f"{counted(summary.attempts, 'call')}, {counted(summary.retries, 'retry', 'retries')}, "
            f"{summary.throttles} throttled"
        )
        if summary.achieved_rate is not None:
            lines.append(rate_line(summary.achieved_rate, summary.rate_limit, summary.latency_ms))
    if summary.changed_after_created:
        one = summary.changed_after_created == 1
        hint = "" if summary.key_column else ", or identify rows with --key"  # not when --key is given
        lines.append(
            f"warning: {counted(summary.changed_after_created, 'row')} changed after {'its' if one else 'their'} "
            f"task was created and {'was' if one else 'were'} not sent again; if this is new work at the same "
            f"path, give it a new --results (or --job-id){hint}"
        )
    if summary.stale_unknown_outcomes is not None:
        lines.append(f"warning: {summary.stale_unknown_outcomes.warning()}")
    lines += error_lines(summary.top_errors)
    if summary.results:
        lines.append(f"results: {summary.results}")
    if summary.limit_reached:
        of = f" of {summary.input_rows}" if summary.input_rows is not None else ""
        lines.append(f"limit reached: {summary.sent}{of} rows sent; run again without --limit to continue")
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


def summary_json_text(summary: JobSummary | StopSummary) -> str:
    """The summary as a scheduler reads it."""
    return json.dumps(summary.as_dict(), indent=2) + "\n"


def write_summary_json(summary: JobSummary | StopSummary, path: Path) -> None:
    """Write the summary for a scheduler."""
    path.write_text(summary_json_text(summary), encoding="utf-8")
