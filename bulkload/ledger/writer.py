"""Writing the results file (and the stop ledger): its columns, spreadsheet-safe cells, one line per outcome.

Values that a spreadsheet would run as a formula are written with a leading apostrophe, which reading
strips again (`restore`).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Final

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import temporary_path
from bulkload.records import VALID, RowOutcome, TaskRequest

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
    "instance_id",
    "scheduled_time",
    "sent_at",
)
_FORMULA_START: Final = frozenset("=+-@\t\r'")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: a leading apostrophe before a formula-like start."""
    if value and value[0] in _FORMULA_START:
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` (it always adds exactly one apostrophe, so one is always removed)."""
    return value[1:] if value.startswith("'") else value


def one_line(text: str) -> str:
    """A message on one line, so that each outcome is one line of the file."""
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def _fsync(handle: IO[str]) -> None:
    handle.flush()
    with contextlib.suppress(OSError):  # some filesystems (pipes, /dev/stdout) cannot sync
        os.fsync(handle.fileno())


class LineWriter:
    """A ledger file written a line at a time (the results file, the stop ledger).

    Lines reach the OS at the end of the event-loop turn that wrote them (one write for every line that
    turn decided, instead of one system call per line), at once when no loop runs, or on `flush`.
    `header` starts a new file; `append` adds lines to an existing one instead.
    """

    def __init__(
        self, path: Path, *, header: Sequence[str] = (), append: bool = False, what: str = "results file"
    ) -> None:
        self.path = path
        try:
            self._file = path.open("a" if append else "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise ResultsFileError(f"cannot write the {what} {path}: {exc.strerror}") from exc
        # "\r\n" (RFC 4180): csv quotes a field only for characters of the line terminator, so with "\n" alone
        # a key holding a bare "\r" would be written unquoted and could not be read back.
        self._csv = csv.writer(self._file, lineterminator="\r\n")
        if header:
            self._csv.writerow(header)
        self.written = 0
        self._flush_due = False

    def write_cells(self, cells: Iterable[object]) -> None:
        """Append one line; it reaches the OS at the end of this event-loop turn (see the class)."""
        self._csv.writerow(cells)
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

    def flush(self) -> None:
        """Hand every line written so far to the OS now (a kill -9 then keeps them)."""
        self._file.flush()

    def _flush(self) -> None:
        self._flush_due = False
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Flush and sync the file to disk."""
        if not self._file.closed:
            _fsync(self._file)
            self._file.close()


class ResultsWriter(LineWriter):
    """Writes outcomes to the results file as they arrive.

    A kill -9 can lose the outcomes decided in its last event-loop turn (see LineWriter): as with an answer
    that arrived just before the kill, those rows are sent again with the same tokens, and the service
    answers with the tasks it already made.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, header=COLUMNS)

    def write(self, outcome: RowOutcome) -> None:
        """Append one outcome; it reaches the OS at the end of this event-loop turn (see LineWriter)."""
        self.write_cells(
            (
                outcome.row,
                outcome.line,
                neutralise(outcome.key),
                outcome.status.value,
                neutralise(outcome.contact_id),
                neutralise(outcome.client_token),
                neutralise(outcome.error_code),
                neutralise(one_line(outcome.error_message)),
                outcome.attempts,
                neutralise(outcome.job_id),
                outcome.request_hash,
                neutralise(outcome.instance_id),
                "" if outcome.scheduled_time is None else outcome.scheduled_time,
                outcome.sent_at,
            )
        )

    def write_verdict(self, item: RowOutcome | TaskRequest) -> None:
        """Append `validate`'s verdict on a row: its outcome when it is not fit to send, else status
        `valid` (nothing sent)."""
        if isinstance(item, RowOutcome):
            self.write(item)
        else:
            self.write_cells(
                (item.row, item.line, neutralise(item.key), VALID, "", "", "", "", 0, "", "", "", "", "")
            )


def write_all(path: Path, outcomes: Iterable[RowOutcome]) -> None:
    """Write a whole ledger atomically: to a temporary file, synced, then renamed over `path`."""
    tmp = temporary_path(path)
    writer = ResultsWriter(tmp)
    try:
        for outcome in outcomes:
            writer.write(outcome)
    finally:
        writer.close()
    os.replace(tmp, path)
