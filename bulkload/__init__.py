"""bulkload: turn a spreadsheet of work into Amazon Connect tasks, exactly once, with a record of every row.

The library entry point is `Job` (see its docstring): build `JobSettings`, `await Job(settings).run()`,
read the `JobSummary` it returns and the results file it writes. `open_source` reads an input file's rows
the way a job does. Every error bulkload raises on purpose is a `BulkloadError`; those that stop a whole
job are `JobError`s.

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
"""

from __future__ import annotations

# Before the imports below: the client module reads it while this package is still being imported.
__version__ = "0.1.0"

# First: the bulkload command's start-up exits 130 on a signal from here on (a library import arms nothing).
import bulkload.startup  # noqa: F401  # isort: skip

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
    "ServiceAccessError",
    "Source",
    "SourceOptions",
    "SourceRow",
    "Status",
    "TaskRequest",
    "UnreadableFileError",
    "open_source",
]
