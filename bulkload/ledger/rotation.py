"""How a run replaces the ledger without ever losing an earlier outcome.

The results file is the job's ledger. A run writes it live, in input order, one line per row. Before a run
overwrites it, the previous ledger is moved aside to `<results>.prev` and indexed, so a crash at any point
leaves every earlier outcome on disk:

    start:  R exists, no R.prev   -> rename R to R.prev               (atomic)
            R and R.prev exist    -> a run died mid-resume: merge R over R.prev into R.prev (atomic
                                     replace), so one file again holds everything known
    run:    R is written afresh, live, in input order; outcomes of rows not sent again are carried over
            from R.prev. An outcome that arrives while an earlier row is still being retried cannot go
            into R yet: it is appended at once to R.pending, so a kill -9 loses no created row. Before a
            row's first request leaves, the row is appended to R.sends (see `sends`).
    start:  R.pending or R.sends exists -> fold R.prev, R.sends, R and R.pending into R.prev (atomic),
            delete R.pending and R.sends. A row in R.sends is newer than R.prev's line for it and older
            than the outcome R or R.pending may hold: with none, it becomes an unknown outcome.
    end:    R holds every row; R.prev, R.pending and R.sends are deleted
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from bulkload.errors import ResultsFileError
from bulkload.ledger.index import PreviousResults
from bulkload.ledger.paths import job_file_path, pending_path, prev_path, sends_path
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.sends import read_sends
from bulkload.ledger.writer import write_all


def has_ledger(path: Path) -> bool:
    """Whether an earlier run left outcomes behind: the results file, or its previous ledger."""
    return path.exists() or prev_path(path).exists()


def index_ledger(path: Path) -> PreviousResults:
    """Index everything the ledger knows (the results file, its previous ledger, the record of sends and
    the pending outcomes of a run that died), moving nothing."""
    sends = sends_path(path)
    index = PreviousResults()
    try:
        # Oldest first: later sources win for a key (except over a created outcome).
        for source in (prev_path(path), sends, path, pending_path(path)):
            if source.exists():
                index.add(read_sends(source) if source == sends else read_outcomes(source))
    except OSError as exc:
        index.close()
        raise ResultsFileError(f"cannot read the results file {path}: {exc.strerror}") from exc
    except BaseException:
        index.close()
        raise
    return index


def open_previous(path: Path) -> PreviousResults:
    """Move the existing ledger aside (see the module docstring) and index everything it knows."""
    prev = prev_path(path)
    pending = pending_path(path)
    sends = sends_path(path)
    index = index_ledger(path)
    try:
        if pending.exists() or sends.exists() or (prev.exists() and path.exists()):
            # A run died while it was rewriting `path`: fold everything it knew into `.prev` first.
            write_all(prev, index)
            pending.unlink(missing_ok=True)
            sends.unlink(missing_ok=True)
        elif path.exists():
            os.replace(path, prev)
    except OSError as exc:
        index.close()
        raise ResultsFileError(f"cannot set the results file {path} aside: {exc.strerror}") from exc
    except BaseException:
        index.close()
        raise
    return index


def undo_open(path: Path) -> None:
    """Undo `open_previous` for a run that read no rows: the previous ledger goes back, or none is left."""
    prev = prev_path(path)
    try:
        if prev.exists():
            os.replace(prev, path)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise ResultsFileError(f"cannot restore the results file {path}: {exc.strerror}") from exc


def undo_run(path: Path, *, had_ledger: bool) -> None:
    """A run that sent nothing leaves the results (and job file) as they were before it.

    Its pending file holds only outcomes it also wrote to `path` (an earlier one was folded in by
    `open_previous`), so it goes too. Unless it sent a row (a request whose answer never came): its record
    of sends then stays beside the ledger it wrote, for the next run to fold in.
    """
    if sends_path(path).exists():
        return
    undo_open(path)
    pending_path(path).unlink(missing_ok=True)
    if not had_ledger:
        job_file_path(path).unlink(missing_ok=True)


def finish(path: Path, *, keep_previous: bool = False) -> None:
    """The run wrote every row to `path`: the previous ledger is no longer needed. Every row it sent has
    its outcome, so its record of sends goes even when the previous ledger is kept (`keep_previous`)."""
    done = (sends_path(path),) if keep_previous else (prev_path(path), pending_path(path), sends_path(path))
    for done_with in done:
        with contextlib.suppress(FileNotFoundError):
            done_with.unlink()
