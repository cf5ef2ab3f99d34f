"""Whose results file is this, when the data is in memory and has no path to claim it by.

A file's results are claimed by its path: the same path continues its job, edited or not. Data in memory
has no path, so its job file records what the data was instead (`MemoryInput`: its kind, its columns and
its number of rows), beside its content's fingerprint. Data in memory loaded into a results file whose
job file exists:

- with a job id given, the caller names the job: the run goes on if the results file holds that job
  (`resolve_job_id` refuses any other), whatever the data;
- the same content continues the job: nothing created is sent again;
- the same columns and number of rows continue it too, as an edited file at the same path does: it is
  the same data with cells changed (invalid rows fixed in place). Rows created earlier are never sent
  again; those changed since are counted in the summary;
- anything else is refused before anything is sent: its rows would be matched to another input's
  outcomes, and rows never sent would count as created. So is a file loaded into the results of data in
  memory, and data in memory into a file's results, unless a job id is given.

Data of the same columns and length but other rows cannot be told from the same data edited: like a new
file written over an old one's path, its rows already created are not sent, and the summary says so.
Give each batch of work its own results path, or its own job id (one per day for a nightly job).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulkload.errors import InputError
from bulkload.source.base import InputInfo
from bulkload.storage.url import S3Url

if TYPE_CHECKING:
    from bulkload.storage.url import S3Url

_KINDS = {"dataframe": "a DataFrame", "arrow": "Arrow data", "dicts": "records"}


@dataclass(frozen=True)
class MemoryInput:
    """What a job file records of data in memory: its kind, its columns and its number of rows."""

    kind: str  # InputInfo.format: "dataframe" | "arrow" | "dicts"
    columns: tuple[str, ...]
    rows: int | None  # None: data read only once (a reader), counted only as it is read

    @classmethod
    def of(cls, info: InputInfo) -> MemoryInput | None:
        """The record of an opened input; None for a file, which its path names."""
        if info.path is not None:
            return None
        return cls(info.format, info.header, info.total_rows)

    @classmethod
    def recorded(cls, body: dict[str, Any]) -> MemoryInput | None:
        """The record a job file holds; None when it records a file (or a damaged record)."""
        entry = body.get("memory")
        if not isinstance(entry, dict):
            return None
        columns, rows = entry.get("columns"), entry.get("rows")
        if not isinstance(columns, list) or not (rows is None or isinstance(rows, int)):
            return None
        return cls(str(entry.get("kind", "")), tuple(str(c) for c in columns), rows)

    @property
    def label(self) -> str:
        """What the job file records as the input's path: `<kind>`, which no real path resolves to."""
        return f"<{self.kind}>"

    def as_json(self) -> dict[str, Any]:
        """The record as the job file holds it."""
        return {"kind": self.kind, "columns": list(self.columns), "rows": self.rows}

    def describe(self) -> str:
        """The data as a message names it: `a DataFrame of 3 rows x 2 columns`."""
        rows = "" if self.rows is None else f"{self.rows:,} rows x "
        return f"{_KINDS.get(self.kind, self.kind)} of {rows}{len(self.columns):,} columns"

    def same_shape(self, other: MemoryInput) -> bool:
        """Whether both have the same columns (in any order) and, where both are known, rows."""
        rows_differ = None not in (self.rows, other.rows) and self.rows != other.rows
        return set(self.columns) == set(other.columns) and not rows_differ


def check_memory_owner(
    results: Path,
    body: dict[str, Any],
    *,
    data: MemoryInput | None,
    input_path: Path | S3Url | None,
    fingerprint: str,
    pinned: bool,
) -> None:
    """Refuse a results file whose job file names other data than this run's (see the module doc).

    `data`: this run's data in memory, else None and `input_path` is this run's file. `pinned`: the run
    names its job id. Call only when this run's data or the job file's is in memory.
    """
    if pinned:
        return
    recorded = MemoryInput.recorded(body)
    job = body.get("job_id") or ""
    if data is None:
        described = recorded.describe() if recorded is not None else body.get("input")
        raise InputError(
            f"{results} holds the results of data loaded from Python ({described}), not of {input_path}: "
            f"use another --results for this file (or --job-id {job} to continue that job with it)"
        )
    if recorded is None:
        raise InputError(
            f"{results} holds the results of the file {body.get('input')}, not of {data.describe()}: this "
            "data's rows would be matched to that file's outcomes. Pass another results path for this "
            f"data (or job_id={job!r}, that job's id, if this data is that file's rows)"
        )
    if (fingerprint and body.get("fingerprint") == fingerprint) or data.same_shape(recorded):
        return
    raise InputError(
        f"{results} holds the results of other data ({recorded.describe()}), not of {data.describe()}: "
        "this data's rows would be matched to that data's outcomes, and rows never sent would count as "
        f"created. Pass another results path for this data, or job_id={job!r} if it is that job's "
        "data, changed"
    )


def claim_owner(data: object, info: InputInfo) -> dict[str, Any]:
    """Whose results these are, as the ledger claim takes it: the input's path or URL (`data` as the
    settings hold it), else the record of data in memory."""
    if isinstance(data, Path | S3Url):
        return {"input_path": data, "memory": None}
    return {"input_path": None, "memory": MemoryInput.of(info)}
