"""What a job reads: a file, named by its path, or data in memory (a DataFrame, an Arrow table or reader,
dicts), and where each one's results go by default.

A path (`str` or `os.PathLike`) goes to the file readers (`source.open_source`); anything else to
`source.memory.open_data`, which is imported only then: it imports pandas and pyarrow, which a job over a
CSV file never needs. A job reads its input more than once (a run's pre-pass, then the run) through one
`InputOpener`, which converts a DataFrame to Arrow the first time only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from bulkload.errors import ConfigError
from bulkload.source import Source, SourceOptions, open_source

if TYPE_CHECKING:
    from bulkload.source.memory import ConvertedFrame, MemoryData

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


def read_once(data: InputData) -> bool:
    """Whether `data` can be read only once (an iterator, a RecordBatchReader): not again after a look."""
    return not is_path(data) and isinstance(data, Iterator)


def open_input(data: InputData, options: SourceOptions, *, fingerprint: bool = True) -> Source:
    """Open a file as `open_source` does, or data in memory as `open_data` does.

    `fingerprint=False` skips hashing data in memory, for a job whose id is given (a file's fingerprint
    is cheap and always taken).
    """
    return InputOpener(data, options).open(fingerprint=fingerprint)


class InputOpener:
    """Opens one input as often as a job reads it; data in memory is converted once (see the module doc)."""

    def __init__(self, data: InputData, options: SourceOptions) -> None:
        """Open `data` read with `options` each time `open` is called."""
        self._data: InputData | ConvertedFrame = data
        self._options = options

    def open(self, *, fingerprint: bool = True) -> Source:
        """Open the input afresh (`fingerprint`: as `open_input` takes it)."""
        if isinstance(self._data, str | os.PathLike):
            return open_source(os.fspath(self._data), self._options)
        from bulkload.source.memory import once_converted, open_data  # noqa: PLC0415 - imports pandas

        self._data = once_converted(self._data)
        return open_data(self._data, self._options, fingerprint=fingerprint)


def default_results_path(data: InputData) -> Path:
    """`<input stem>.results.csv` beside the input; data in memory has none (ConfigError)."""
    if not is_path(data):
        raise ConfigError(RESULTS_REQUIRED)
    path = Path(os.fspath(data))
    return path.with_name(path.stem + ".results.csv")


def input_label(data: InputData) -> str:
    """How messages name the input before it is opened: its path, or that it is data in memory."""
    return os.fspath(data) if is_path(data) else "data in memory"
