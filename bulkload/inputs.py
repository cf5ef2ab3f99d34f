"""What a job reads: a file, named by its path, or data in memory (a DataFrame, an Arrow table or reader,
dicts), and where each one's results go by default.

A path (`str` or `os.PathLike`) goes to the file readers (`source.open_source`); anything else to
`source.memory.open_data`, which is imported only then: it imports pandas and pyarrow, which a job over a
CSV file never needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from bulkload.errors import ConfigError
from bulkload.source import Source, SourceOptions, open_source

if TYPE_CHECKING:
    from bulkload.source.memory import MemoryData

InputData: TypeAlias = "str | os.PathLike[str] | MemoryData"
"""A job's input: the path of a CSV, Parquet or Excel file, or data in memory (see `source.memory`)."""

RESULTS_REQUIRED = (
    "data in memory has no file name to put its results beside: pass results= a path for the results "
    "file (the job's record: loading into the same path again sends only the rows not created yet)"
)
"""Why data in memory needs its results path given."""


def is_path(data: InputData) -> TypeGuard[str | os.PathLike[str]]:
    """Whether `data` names a file (a path), rather than being data in memory."""
    return isinstance(data, str | os.PathLike)


def open_input(data: InputData, options: SourceOptions, *, fingerprint: bool = True) -> Source:
    """Open a file as `open_source` does, or data in memory as `open_data` does.

    `fingerprint=False` skips hashing data in memory, for a job whose id is given (a file's fingerprint
    is cheap and always taken).
    """
    if isinstance(data, str | os.PathLike):
        return open_source(os.fspath(data), options)
    from bulkload.source.memory import open_data  # noqa: PLC0415 - imports pandas: only for data in memory

    return open_data(data, options, fingerprint=fingerprint)


def default_results_path(data: InputData) -> Path:
    """`<input stem>.results.csv` beside the input; data in memory has none (ConfigError)."""
    if not is_path(data):
        raise ConfigError(RESULTS_REQUIRED)
    path = Path(os.fspath(data))
    return path.with_name(path.stem + ".results.csv")


def input_label(data: InputData) -> str:
    """How messages name the input before it is opened: its path, or that it is data in memory."""
    return os.fspath(data) if is_path(data) else "data in memory"
