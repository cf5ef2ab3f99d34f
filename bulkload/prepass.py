"""The pre-pass: before a run sends anything, read the input once to learn which ids its rows will use,
and have preflight (`connect.preflight`) check each distinct one with the service.

So a mistake that affects every row (an unknown flow, a wrong instance, missing credentials) is found
before the first row is sent, not by sending them all.

The pre-pass decides every row as the run will (a `RowPreparer` over the same earlier outcomes, with
file rules of its own) and counts only the rows that will be sent: rows created earlier and rows held
back are not. Under `--limit` it stops where the run will stop. The job opens the input again for it
through its own opener, so any source that can be opened twice works (a file, or data in memory).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from bulkload.connect.preflight import Preflight, PreflightReport
from bulkload.connect.used_ids import UsedIds
from bulkload.mapping import ColumnMapping
from bulkload.prepare import RowLimit, RowPreparer
from bulkload.records import SourceRow, TaskRequest
from bulkload.source import Source
from bulkload.threadwork import ThreadWork


class _IdScan:
    """Counts the ids of the rows a run will send, one chunk at a time (in a worker thread)."""

    def __init__(self, preparer: RowPreparer, limit: int | None) -> None:
        self.preparer = preparer
        self.limit = RowLimit(limit)
        self.ids = UsedIds()

    def next_chunk(self, chunks: Iterator[list[SourceRow]]) -> bool:
        """Read and count the next chunk; False once the input ends or the run's limit is reached."""
        items = self.preparer.prepare_next(chunks)
        if items is None:
            return False
        for item in items:
            if not self.limit.admits(item):
                return False
            if isinstance(item, TaskRequest):
                self.ids.add(item.params)
        return True


async def used_ids(
    source: Source,
    preparer: RowPreparer,
    *,
    limit: int | None,
    thread: ThreadWork,
    stopped: Callable[[], bool],
) -> UsedIds:
    """The ids the rows of `source` that a run will send use; reading ends early once `stopped()`.

    `source` is a fresh opening of the input, read here to its end (or to the run's `limit`); the caller
    closes it.
    """
    scan = _IdScan(preparer, limit)
    chunks = source.chunks()
    try:
        while not stopped() and await thread.run(scan.next_chunk, chunks):
            pass
    finally:
        await thread.settle()  # the thread still reads the source until it ends its chunk
    return scan.ids


async def preflight_rows(
    client: Any,
    open_rows: Callable[[], tuple[Source, ColumnMapping]],
    preparer: Callable[[ColumnMapping], RowPreparer],
    *,
    limit: int | None,
    thread: ThreadWork,
    stopped: Callable[[], bool],
    sleep: Callable[[float], Awaitable[None]],
    give_up_after: float | None = None,
) -> PreflightReport | None:
    """Check the ids of the rows a run will send; None when `stopped()` while the input was read.

    `open_rows` opens the input afresh; `preparer(mapping)` decides its rows as the run will. Raises
    ServiceAccessError for unusable credentials or an endpoint unanswered for `give_up_after` seconds,
    and ConfigError when every row to send uses an id the service refuses (no row could be created).
    """
    source, mapping = await asyncio.to_thread(open_rows)
    with source:
        ids = await used_ids(source, preparer(mapping), limit=limit, thread=thread, stopped=stopped)
    if stopped():
        return None
    report = await Preflight(client, sleep=sleep, give_up_after=give_up_after).check(ids)
    error = report.job_error(ids, mapping.column_for)
    if error is not None:
        raise error
    return report
