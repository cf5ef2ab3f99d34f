"""Outcomes complete out of order; the results file lists them in input order.

An outcome that has to wait for an earlier row (still being retried) is also appended at once to the
pending sidecar, so a crash never loses it: the next run folds it back in (see `rotation`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from bulkload.ledger.writer import ResultsWriter
from bulkload.records import RowOutcome


class InOrderWriter:
    """Puts outcomes that complete out of order back into input order before writing them.

    Rows are registered with `expect` in input order; an outcome is written as soon as every row expected
    before it is written. An outcome that has to wait is also appended at once to `pending`. What waits in
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
