"""Showing a running job's progress: a rich progress bar, or a plain log line every few seconds.

Shared by the CLI (`--progress`) and the library (`load(..., progress=True)`), so both show the same
figures. Nothing here uses click: the library must not import it. Both displays run as tasks that read
`JobProgress` until cancelled.
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
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bulkload.progress import JobProgress

progress_log = logging.getLogger("bulkload.progress")
"""The logger of plain progress lines (its name is part of the JSON log format)."""


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
