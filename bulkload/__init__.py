"""bulkload: turn a spreadsheet of work into Amazon Connect tasks, exactly once, with a record of every row."""

from __future__ import annotations

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
from bulkload.records import MappedRow, Problem, RowOutcome, SourceRow, Status, TaskRequest

__all__ = [
    "BulkloadError",
    "ColumnError",
    "ConfigError",
    "InputError",
    "JobError",
    "MappedRow",
    "Problem",
    "ResultsFileError",
    "RowOutcome",
    "ServiceAccessError",
    "SourceRow",
    "Status",
    "TaskRequest",
    "UnreadableFileError",
]
__version__ = "0.1.0"
