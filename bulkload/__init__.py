"""bulkload: turn a spreadsheet of work into Amazon Connect tasks, exactly once, with a record of every row.

The library entry point is `Job` (see its docstring): build `JobSettings`, `await Job(settings).run()`,
read the `JobSummary` it returns and the results file it writes. `open_source` reads an input file's rows
the way a job does. The input and the results may be objects in S3 (`s3://bucket/key`); `S3Options` says
how the job reaches S3 and keeps a ledger there. Every error bulkload raises on purpose is a
`BulkloadError`; those that stop a whole job are `JobError`s.

    import asyncio
    from pathlib import Path

    import bulkload

    settings = bulkload.JobSettings(
        input=Path("tasks.csv"),
        mapping=bulkload.MappingOptions(instance_id="...", flow_id="..."),
        pool=bulkload.PoolSettings(rate=5),
    )
    summary = asyncio.run(bulkload.Job(settings).run())
    print(summary.counts, summary.exit_code)

`stop(results)` (or `await astop(results)`) undoes a load: it stops the tasks the results file records,
each at most once, and returns a `StopSummary`.
"""

from __future__ import annotations

# Before the imports below: the client module reads it while this package is still being imported.
__version__ = "0.1.0"

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
from bulkload.undo import StopJob, StopSettings, StopStatus, StopSummary
from bulkload.undo.api import astop, stop

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
    "MappedRow",
    "MappingOptions",
    "PoolSettings",
    "Problem",
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
    "astop",
    "open_source",
    "stop",
]
