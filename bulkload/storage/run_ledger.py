"""Where a run keeps its ledger: a local results file, locked; or results in S3, worked on locally.

Results in S3 are worked on in a local directory (`--workdir`, else a fresh temporary one):

    1. the local lock of the copy in that directory, so no two runs on this machine share it;
    2. the job's lock in S3 (`S3JobLock`): a run that finds another live holder stops here, before
       anything is read or sent, naming the holder;
    3. the ledger's objects downloaded: the job continues where the last checkpoint left it;
    4. the run, its ledger uploaded every `checkpoint_interval` seconds and at the end
       (`LedgerCheckpoint`); each upload first refreshes the lock with a conditional write, so a run
       that lost its lock (paused past its staleness, then taken over) uploads nothing more;
    5. the lock released, and a temporary directory removed once S3 holds the ledger as the run left it.

The lock is refreshed every checkpoint interval too, and is stale after three. A run that loses it
is stopped: no new row is sent, and its last upload is refused with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bulkload.errors import JobError, ResultsFileError
from bulkload.ledger.guard import input_as_results
from bulkload.ledger.lock import ResultsLock
from bulkload.storage.access import S3Access
from bulkload.storage.checkpoint import LedgerCheckpoint
from bulkload.storage.lock import S3JobLock
from bulkload.storage.options import S3Options
from bulkload.storage.url import S3Url

if TYPE_CHECKING:
    from bulkload.job import JobSettings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def ledger_home(
    settings: JobSettings, s3: S3Access, *, on_lost: Callable[[JobError], None]
) -> AsyncIterator[Path]:
    """Hold the job's results for one run and yield the local results file (see the module docstring).

    `on_lost` is called on the event loop if the run loses its lock in S3: it should stop the job.
    """
    results = settings.results_location
    if isinstance(results, Path):
        with ResultsLock(results):
            yield results
        return
    if isinstance(settings.input, S3Url) and results == settings.input:  # not data in memory
        raise input_as_results(results)
    async with s3_ledger(results, s3, settings.s3, on_lost=on_lost) as path:
        yield path


@contextlib.asynccontextmanager
async def s3_ledger(
    results: S3Url, s3: S3Access, options: S3Options, *, on_lost: Callable[[JobError], None]
) -> AsyncIterator[Path]:
    """The ledger of `results` worked on locally for one run: yield the local results file."""
    workdir = options.workdir
    fresh = workdir is None
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="bulkload-"))
    else:
        _make_directory(workdir)
    client = await asyncio.to_thread(lambda: s3.client)
    lock = S3JobLock(
        client, results, refresh_interval=options.checkpoint_interval, wait=options.lock_wait, on_lost=on_lost
    )
    checkpoint = LedgerCheckpoint(
        client,
        results,
        workdir,
        interval=options.checkpoint_interval,
        fence=lock.refresh,
        on_error=lambda error: log.warning("checkpoint of the ledger failed (tried again): %s", error),
    )
    entered = False
    try:
        with ResultsLock(checkpoint.results_path):
            async with lock:
                fetched = await asyncio.to_thread(checkpoint.download)
                log.info("ledger of %s: %d objects downloaded into %s", results, len(fetched), workdir)
                entered = True
                async with checkpoint:
                    yield checkpoint.results_path
    finally:
        if entered and not checkpoint.finished:
            log.warning(
                "the last checkpoint did not reach %s: the run's ledger is kept in %s", results, workdir
            )
        elif fresh:
            shutil.rmtree(workdir, ignore_errors=True)


def _make_directory(workdir: Path) -> None:
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFileError(f"cannot use the working directory {workdir}: {exc.strerror or exc}") from exc
