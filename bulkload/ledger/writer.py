"""Writing the results file: its columns, spreadsheet-safe cells, one line per outcome.

Values that a spreadsheet would run as a formula are written with a leading apostrophe, which reading
strips again (`restore`).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Final

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import temporary_path
from bulkload.records import RowOutcome

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


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def _fsync(handle: IO[str]) -> None:
    handle.flush()
    with contextlib.suppress(OSError):  # some filesystems (pipes, /dev/stdout) cannot sync
        os.fsync(handle.fileno())


class ResultsWriter:
    """Writes outcomes to the results file as they arrive.

    Lines reach the OS at the end of the event-loop turn that wrote them (one write for every outcome that
    turn decided, instead of one system call per line), or at once when no loop runs. A kill -9 can
    therefore lose the outcomes decided in its last turn: as with an answer that arrived just before the
    kill, those rows are sent again with the same tokens, and the service answers with the tasks it
    already made.
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
                outcome.sent_at,
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
