"""The names of the results file's sidecars, written once.

A results file `R` never travels alone: `R.prev` holds the previous ledger while a run rewrites `R`,
`R.pending` the outcomes that wait for an earlier row, `R.sends` the rows sent by a run that has not
finished (written before each row's first request leaves), `R.job.json` the job's input and options, and
`R.lock` the lock of the run that holds it, `R.stop.csv` the stop ledger of `bulkload stop`. A file is
replaced atomically through `<file>.tmp`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

LOCK_SUFFIX: Final = ".lock"
"""The suffix of a results file's lock, local or in S3: never part of the ledger that is copied."""

JOB_FILE_SUFFIX: Final = ".job.json"
"""The suffix of the job file beside a results file."""

TEMPORARY_SUFFIX: Final = ".tmp"
"""The suffix of a whole new version of a file, written before it is renamed over the file."""


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def prev_path(results: Path) -> Path:
    """Where the previous ledger is kept while a run rewrites `results`."""
    return _beside(results, ".prev")


def pending_path(results: Path) -> Path:
    """Where outcomes wait, durably, for an earlier row's outcome before they can go into `results`."""
    return _beside(results, ".pending")


def sends_path(results: Path) -> Path:
    """The write-ahead record of the rows a run sent, kept until the run finishes."""
    return _beside(results, ".sends")


def job_file_path(results: Path) -> Path:
    """The job file that belongs to a results file."""
    return _beside(results, JOB_FILE_SUFFIX)


def lock_path(results: Path) -> Path:
    """The lock file of a results file."""
    return _beside(results, LOCK_SUFFIX)


def stop_ledger_path(results: Path) -> Path:
    """The stop ledger: what `bulkload stop` did with each task the results file records."""
    return _beside(results, ".stop.csv")


def temporary_path(path: Path) -> Path:
    """Where a whole new version of `path` is written before it is renamed over `path`."""
    return _beside(path, TEMPORARY_SUFFIX)


def ledger_files(results: Path) -> tuple[Path, ...]:
    """The results file and every sidecar a run (or a stop) may write beside it."""
    return (
        results,
        job_file_path(results),
        pending_path(results),
        sends_path(results),
        prev_path(results),
        lock_path(results),
        stop_ledger_path(results),
    )
