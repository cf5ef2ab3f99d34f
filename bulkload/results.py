"""The results file: one line per row, written as outcomes arrive, read back to resume.

The results file is the job's ledger. A run writes it live, in input order, one line per row, flushed at
the end of each event-loop turn (see `ResultsWriter`).
Before a run overwrites it, the previous ledger is moved aside to `<results>.prev` and indexed, so a crash
at any point leaves every earlier outcome on disk:

    start:  R exists, no R.prev   -> rename R to R.prev               (atomic)
            R and R.prev exist    -> a run died mid-resume: merge R over R.prev into R.prev (atomic
                                     replace), so one file again holds everything known
    run:    R is written afresh, live, in input order; outcomes of rows not sent again are carried over
            from R.prev. An outcome that arrives while an earlier row is still being retried cannot go
            into R yet: it is appended at once to R.pending, so a kill -9 loses no created row.
    start:  R.pending exists -> fold R.prev, R and R.pending into R.prev (atomic), delete R.pending
    end:    R holds every row; R.prev and R.pending are deleted

A line torn by `kill -9` (no final newline) is ignored; every line before it is kept. Values that a
spreadsheet would run as a formula are written with a leading apostrophe, which reading strips again.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Final

from bulkload.cells import CSV_FIELD_LIMIT
from bulkload.errors import ResultsFileError
from bulkload.records import RowOutcome, Status

COLUMNS: Final = (
    "row",
    "line",
    "key",
    "status",
    "contact_id",
    "client_token",
    "error_code",
    "error_message",
    "attempts",
    "job_id",
    "request_hash",
)
_REQUIRED: Final = frozenset({"row", "key", "status", "contact_id", "client_token", "job_id"})
_FORMULA_START: Final = frozenset("=+-@\t\r'")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: a leading apostrophe before a formula-like start."""
    if value and value[0] in _FORMULA_START:
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` (it always adds exactly one apostrophe, so one is always removed)."""
    return value[1:] if value.startswith("'") else value


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def _fsync(handle: IO[str]) -> None:
    handle.flush()
    with contextlib.suppress(OSError):  # some filesystems (pipes, /dev/stdout) cannot sync
        os.fsync(handle.fileno())


def prev_path(path: Path) -> Path:
    """Where the previous ledger is kept while a run rewrites `path`."""
    return path.with_name(path.name + ".prev")


def pending_path(path: Path) -> Path:
    """Where outcomes wait, durably, for an earlier row's outcome before they can go into `path`."""
    return path.with_name(path.name + ".pending")


class ResultsWriter:
    """Writes outcomes to the results file as they arrive.

    Lines reach the OS at the end of the event-loop turn that wrote them (one write for every outcome that
    turn decided, instead of one system call per line, which was a fifth of bulkload's own cost per row),
    or at once when no loop runs. A kill -9 can therefore lose the outcomes decided in its last turn, a
    fraction of a millisecond: as with an answer that arrived just before the kill, those rows are sent
    again with the same tokens, and the service answers with the tasks it already made.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file = path.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise ResultsFileError(f"cannot write the results file {path}: {exc.strerror}") from exc
        # "\r\n" (RFC 4180): csv quotes a field only for characters of the line terminator, so with "\n" alone
        # a key holding a bare "\r" would be written unquoted and could not be read back.
        self._csv = csv.writer(self._file, lineterminator="\r\n")
        self._csv.writerow(COLUMNS)
        self.written = 0
        self._flush_due = False

    def write(self, outcome: RowOutcome) -> None:
        """Append one outcome; it reaches the OS at the end of this event-loop turn (see the class)."""
        self._csv.writerow(
            (
                outcome.row,
                outcome.line,
                neutralise(outcome.key),
                outcome.status.value,
                neutralise(outcome.contact_id),
                neutralise(outcome.client_token),
                neutralise(outcome.error_code),
                neutralise(_one_line(outcome.error_message)),
                outcome.attempts,
                neutralise(outcome.job_id),
                outcome.request_hash,
            )
        )
        self.written += 1
        if self._flush_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: nothing to batch with
            self._file.flush()
            return
        self._flush_due = True
        loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_due = False
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Flush and sync the file to disk."""
        if not self._file.closed:
            _fsync(self._file)
            self._file.close()


class InOrderWriter:
    """Puts outcomes that complete out of order back into input order before writing them.

    Rows are registered with `expect` in input order; an outcome is written as soon as every row expected
    before it is written. An outcome that has to wait (a row before it is still being retried) is also
    appended at once to `pending` (see the module docstring), so a crash never loses it. What waits in
    memory is the outcomes completed while the oldest unfinished row retries: at most the rate times its
    backoff (a few minutes' worth of rows in the worst case).
    """

    def __init__(
        self,
        writer: ResultsWriter,
        on_write: Callable[[RowOutcome], None] | None = None,
        *,
        pending: Path | None = None,
    ) -> None:
        self._writer = writer
        self._on_write = on_write
        self._expected: deque[int] = deque()
        self._done: dict[int, RowOutcome] = {}
        self._pending_path = pending
        self._pending: ResultsWriter | None = None

    def expect(self, row: int) -> None:
        """Register the next row of the input."""
        self._expected.append(row)

    def complete(self, outcome: RowOutcome) -> None:
        """Record a row's outcome and write every outcome that is now next in line."""
        self._done[outcome.row] = outcome
        while self._expected and self._expected[0] in self._done:
            self._emit(self._done.pop(self._expected.popleft()))
        if outcome.row in self._done and self._pending_path is not None:
            if self._pending is None:
                self._pending = ResultsWriter(self._pending_path)
            self._pending.write(outcome)

    def flush_all(self) -> None:
        """On a stop: write what completed, even past rows that never will (they resume next run)."""
        for row in self._expected:
            done = self._done.pop(row, None)
            if done is not None:
                self._emit(done)
        self._expected.clear()

    def close(self) -> None:
        """Close the pending file, if one was needed (it is deleted with `finish`)."""
        if self._pending is not None:
            self._pending.close()

    @property
    def waiting(self) -> int:
        """How many completed outcomes wait for an earlier row."""
        return len(self._done)

    def _emit(self, outcome: RowOutcome) -> None:
        self._writer.write(outcome)
        if self._on_write is not None:
            self._on_write(outcome)


def _complete_lines(handle: IO[str]) -> Iterator[str]:
    """Every line that ends in a newline; a final line without one was torn by a crash and is dropped."""
    for line in handle:
        if line.endswith("\n"):
            yield line


def read_outcomes(path: Path) -> Iterator[RowOutcome]:
    """Read a results file written by bulkload, ignoring a torn last line."""
    try:
        # newline="\n": split lines only where the writer ends them, so a "\r" inside a quoted value (a
        # key may hold one) is not taken for the end of a torn line; nothing is translated either way.
        handle = path.open(newline="\n", encoding="utf-8")
    except OSError as exc:
        raise ResultsFileError(f"cannot read the results file {path}: {exc.strerror}") from exc
    with handle:
        csv.field_size_limit(CSV_FIELD_LIMIT)  # process-global; set where the reader is made, as source does
        reader = csv.reader(_complete_lines(handle))
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ResultsFileError(f"{path} is not a bulkload results file: {exc}") from exc
        if header is None:
            return
        missing = _REQUIRED - set(header)
        if missing:
            raise ResultsFileError(
                f"{path} is not a bulkload results file: it has no {', '.join(sorted(missing))} column"
            )
        index = {name: i for i, name in enumerate(header)}
        try:
            for number, record in enumerate(reader, start=2):
                if len(record) != len(header):
                    raise ResultsFileError(
                        f"{path}, line {number}: {len(record)} fields, expected {len(header)}; "
                        "the file was edited or is not a bulkload results file"
                    )
                yield _parse(record, index, path, number)
        except csv.Error as exc:  # an unterminated quote at the very end: a torn write
            if "EOF" not in str(exc) and "end of data" not in str(exc):
                raise ResultsFileError(f"{path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ResultsFileError(f"{path} is not UTF-8 text: {exc}") from exc


def _parse(record: list[str], index: dict[str, int], path: Path, number: int) -> RowOutcome:
    def get(name: str) -> str:
        i = index.get(name)
        return restore(record[i]) if i is not None else ""

    try:
        status = Status(get("status"))
        row = int(get("row"))
        line = int(get("line") or 0)
        attempts = int(get("attempts") or 0)
    except ValueError as exc:
        raise ResultsFileError(f"{path}, line {number}: {exc}") from exc
    return RowOutcome(
        row=row,
        line=line,
        key=get("key"),
        status=status,
        job_id=get("job_id"),
        contact_id=get("contact_id"),
        client_token=get("client_token"),
        request_hash=get("request_hash"),
        error_code=get("error_code"),
        error_message=get("error_message"),
        attempts=attempts,
    )


class PreviousResults:
    """The outcomes of earlier runs, looked up by row key.

    Backed by a temporary SQLite file rather than a dict, so resuming a million-row job costs disk,
    not memory. Later sources win over earlier ones for the same key, except over a created outcome.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="bulkload-")
        # check_same_thread=False: the pipeline reads it from worker threads, one call at a time.
        self._db = sqlite3.connect(Path(self._dir.name) / "prev.sqlite", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE outcome (key TEXT PRIMARY KEY, row INTEGER, line INTEGER, status TEXT,"
            " job_id TEXT, contact_id TEXT, client_token TEXT, request_hash TEXT, error_code TEXT,"
            " error_message TEXT, attempts INTEGER)"
        )
        self.job_ids: set[str] = set()

    def add(self, outcomes: Iterable[RowOutcome]) -> int:
        """Index outcomes (later ones replace earlier ones for a key, except over a created one); count them."""
        count = 0

        def rows() -> Iterator[tuple[object, ...]]:
            nonlocal count
            for o in outcomes:
                count += 1
                if o.job_id:
                    self.job_ids.add(o.job_id)
                yield (
                    o.key,
                    o.row,
                    o.line,
                    o.status.value,
                    o.job_id,
                    o.contact_id,
                    o.client_token,
                    o.request_hash,
                    o.error_code,
                    o.error_message,
                    o.attempts,
                )

        with self._db:
            # A created row is final: nothing later (a repeated key's invalid line) may hide its task, or
            # a re-run would send it again.
            self._db.executemany(
                "INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                " row=excluded.row, line=excluded.line, status=excluded.status, job_id=excluded.job_id,"
                " contact_id=excluded.contact_id, client_token=excluded.client_token,"
                " request_hash=excluded.request_hash, error_code=excluded.error_code,"
                " error_message=excluded.error_message, attempts=excluded.attempts"
                " WHERE outcome.status != 'created' OR excluded.status = 'created'",
                rows(),
            )
        return count

    def get(self, key: str) -> RowOutcome | None:
        """The latest known outcome of the row with this key."""
        found = self._db.execute("SELECT * FROM outcome WHERE key = ?", (key,)).fetchone()
        return None if found is None else _from_db(found)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outcome").fetchone()[0])

    def __iter__(self) -> Iterator[RowOutcome]:
        for found in self._db.execute("SELECT * FROM outcome ORDER BY row"):
            yield _from_db(found)

    def close(self) -> None:
        """Drop the index."""
        self._db.close()
        self._dir.cleanup()


def _from_db(found: tuple[object, ...]) -> RowOutcome:
    key, row, line, status, job_id, contact_id, token, req_hash, code, message, attempts = found
    return RowOutcome(
        row=int(str(row)),
        line=int(str(line)),
        key=str(key),
        status=Status(str(status)),
        job_id=str(job_id),
        contact_id=str(contact_id),
        client_token=str(token),
        request_hash=str(req_hash),
        error_code=str(code),
        error_message=str(message),
        attempts=int(str(attempts)),
    )


def write_all(path: Path, outcomes: Iterable[RowOutcome]) -> None:
    """Write a whole ledger atomically: to a temporary file, synced, then renamed over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    writer = ResultsWriter(tmp)
    try:
        for outcome in outcomes:
            writer.write(outcome)
    finally:
        writer.close()
    os.replace(tmp, path)


def open_previous(path: Path) -> PreviousResults:
    """Move the existing ledger aside (see the module docstring) and index everything it knows."""
    prev = prev_path(path)
    pending = pending_path(path)
    index = PreviousResults()
    try:
        # Oldest first: later sources win for a key (except over a created outcome).
        for source in (prev, path, pending):
            if source.exists():
                index.add(read_outcomes(source))
        if pending.exists() or (prev.exists() and path.exists()):
            # A run died while it was rewriting `path`: fold everything it knew into `.prev` first.
            write_all(prev, index)
            pending.unlink(missing_ok=True)
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


def finish(path: Path) -> None:
    """The run wrote every row to `path`: the previous ledger is no longer needed."""
    for done_with in (prev_path(path), pending_path(path)):
        with contextlib.suppress(FileNotFoundError):
            done_with.unlink()


__all__ = [
    "COLUMNS",
    "InOrderWriter",
    "PreviousResults",
    "ResultsWriter",
    "finish",
    "neutralise",
    "open_previous",
    "pending_path",
    "prev_path",
    "read_outcomes",
    "restore",
    "undo_open",
    "write_all",
]
