"""Showing a running job's progress: a rich progress bar, or a plain log line every few seconds.

Shared by the CLI (`--progress`) and the library (`load(..., progress=True)`), so both show the same
figures. Nothing here uses click: the library must not import it. Both displays run as tasks that read
a `JobProgress` (a run's, or a stop's: each names the statuses it counts) until cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from bulkload.progress import JobProgress

progress_log = logging.getLogger("bulkload.progress")
"""The logger of plain progress lines (its name is part of the JSON log format)."""

_BAR_WIDTH = 40  # the progress bar's width on a wide terminal
_MIN_BAR_WIDTH = 10  # and on the narrowest


def _counts_text(progress: JobProgress) -> str:
    c = progress.counts
    stats = progress.pool
    parts = [f"{name} {c.get(name, 0)}" for name in progress.STATUSES]
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


class _DetailColumn(ProgressColumn):
    """The counts and the rate: one line, cut short with an ellipsis to what the other columns leave."""

    def __init__(self) -> None:
        super().__init__(table_column=Column(no_wrap=False))  # the one column a narrow table may shrink

    def render(self, task: Task) -> Text:
        """The task's `detail` field on one line."""
        return Text(str(task.fields.get("detail", "")), no_wrap=True, overflow="ellipsis")


def progress_bar(console: Console) -> Progress:
    """The bar's columns: the description, the bar, done/total, elapsed, the ETA, then counts and rate.

    On a terminal (or in a notebook) the bar is redrawn in place: on a narrow terminal the columns before
    the counts keep their width; the counts and the rate, last, take what is left and are cut short with
    an ellipsis. Elsewhere (a file, a pipe) only the last frame is printed, as a record of the job: without
    the ETA, which means nothing once the job has ended, and with the shortest bar, so the counts fit.
    """
    fixed = Column(no_wrap=True)
    redrawn = console.is_terminal or console.is_jupyter
    bar_width = min(_BAR_WIDTH, max(_MIN_BAR_WIDTH, console.width // 5)) if redrawn else _MIN_BAR_WIDTH
    eta = [TextColumn("eta", table_column=fixed), TimeRemainingColumn(table_column=fixed)] if redrawn else []
    return Progress(
        TextColumn("[bold]{task.description}", table_column=fixed),
        BarColumn(bar_width=bar_width, table_column=fixed),
        MofNCompleteColumn(table_column=fixed),
        TimeElapsedColumn(table_column=fixed),
        *eta,
        _DetailColumn(),
        console=console,
        transient=False,
    )


async def live_progress(progress: JobProgress, console: Console, description: str) -> None:
    """A rich progress bar: rows done of total, rate, ETA and outcome counts, until cancelled."""
    bar = progress_bar(console)
    task: TaskID = bar.add_task(description, total=progress.total_rows, detail="")
    with bar:
        try:
            while True:
                detail = f"{_counts_text(progress)} | {_rate_text(progress)}"
                bar.update(task, completed=progress.rows_done, total=progress.total_rows, detail=detail)
                await asyncio.sleep(0.2)
        finally:
            detail = _counts_text(progress)
            total = progress.rows_done if progress.total_rows is None else progress.total_rows
            bar.update(task, completed=progress.rows_done, total=total, detail=detail)
