"""What `load` returns: the job's summary, typed, with the results file as a DataFrame to join back.

`LoadSummary` is a `JobSummary` (counts by status, `exit_code`, `retry_command`, the run's figures)
that also knows whether its data was in memory, and reads its outcomes back with `outcomes()`.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bulkload.progress import JobSummary

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, kw_only=True)
class LoadSummary(JobSummary):
    """What a load did: rows by status (`counts`), `exit_code` (0: every row created), `elapsed`, and each
    row's outcome as a DataFrame (`outcomes()`)."""

    in_memory: bool = False  # the data was in memory, not a file

    @classmethod
    def of(cls, summary: JobSummary, *, in_memory: bool) -> LoadSummary:
        """The job's summary, as `load` returns it."""
        fields = {f.name: getattr(summary, f.name) for f in dataclasses.fields(summary)}
        return cls(**fields, in_memory=in_memory)

    @property
    def elapsed(self) -> datetime.timedelta:
        """How long the job ran."""
        return datetime.timedelta(seconds=self.elapsed_seconds)

    @property
    def retry_command(self) -> str | None:
        """The command that re-runs the rows not created, for a file; None for data in memory, which no
        command can read again: call `load` again with the data and the same results instead."""
        return None if self.in_memory else super().retry_command

    def outcomes(self) -> pd.DataFrame:
        """The results file as a DataFrame: one row per input row, typed (see `ledger.frame`).

        Join it back to the data on the key column (`key`), or, for data in memory without one, by
        position: the record at position i is on `line` i + 2.
        """
        from bulkload.ledger.frame import outcomes_frame  # noqa: PLC0415 - imports pandas: only when asked

        if self.results is None:
            raise ValueError("this summary has no results file")
        return outcomes_frame(self.results)
