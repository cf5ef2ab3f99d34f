"""bulkload: turn a spreadsheet of work into Amazon Connect tasks, exactly once, with a record of every row.

From Python, `load` takes a file's path or `s3://bucket/key` URL, a pandas DataFrame, an Arrow table or
reader, or dicts, and the same options as `bulkload run`; it returns a `LoadSummary` (`aload` is the same
call for code already in an event loop, such as a notebook):

    import bulkload

    summary = bulkload.load(frame, results="callbacks.results.csv", instance_id="...", flow_id="...",
                            key="ticket", rate=5)
    print(summary.counts, summary.exit_code)
    outcomes = summary.outcomes()  # one row per input row: status, contact_id, error

`stop(results)` (or `await astop(results)`) undoes a load: it stops the tasks the results file records,
each at most once, and returns a `StopSummary`.

Beneath it, `Job` runs one job of `JobSettings` (see its docstring) and returns a `JobSummary`;
`open_source` reads an input file's rows the way a job does. The input and the results may be objects in
S3 (`s3://bucket/key`); `S3Options` says how the job reaches S3 and keeps a ledger there. Every error bulkload raises on purpose is a
`BulkloadError`; those that stop a whole job are `JobError`s.
"""

from __future__ import annotations

# Before the imports below: the client module reads it while this package is still being imported.
__version__ = "0.1.0"

# First: the bulkload command's start-up exits 130 on a signal from here on (a library import arms nothing).
import bulkload.startup  # noqa: F401  # isort: skip

from bulkload.api import aload, load
from bulkload.connect.client import ClientSettings
from bulkload.errors import (
    BulkloadError,
    ColumnError,
    ConfigError,
    InputError,
    JobError,
    ResultsFileError,
    ServiceAccessError,
    UnreadableFileError,
)
from bulkload.job import ClientFactory, Job, JobSettings
from bulkload.mapping import MappingOptions
from bulkload.options import LoadOptions
from bulkload.pool import PoolSettings
from bulkload.progress import JobProgress, JobSummary
from bulkload.records import (
    MappedRow,
    Problem,
    RowOutcome,
    SourceRow,
    Status,
    TaskRequest,
)
from bulkload.source import Source, SourceOptions, open_source
from bulkload.storage.options import S3Options
from bulkload.summary import LoadSummary
from bulkload.undo import StopJob, StopSettings, StopStatus, StopSummary
from bulkload.undo.api import astop, stop
from bulkload.watch import ProgressSnapshot

__all__ = [
    "BulkloadError",
    "ClientFactory",
    "ClientSettings",
    "ColumnError",
    "ConfigError",
    "InputError",
    "Job",
    "JobError",
    "JobProgress",
    "JobSettings",
    "JobSummary",
    "LoadOptions",
    "LoadSummary",
    "MappedRow",
    "MappingOptions",
    "PoolSettings",
    "Problem",
    "ProgressSnapshot",
    "ResultsFileError",
    "RowOutcome",
    "S3Options",
    "ServiceAccessError",
    "Source",
    "SourceOptions",
    "SourceRow",
    "Status",
    "StopJob",
    "StopSettings",
    "StopStatus",
    "StopSummary",
    "TaskRequest",
    "UnreadableFileError",
    "aload",
    "astop",
    "load",
    "open_source",
    "stop",
]
