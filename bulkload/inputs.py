"""What a job reads: a file, named by its path or its `s3://` URL, or data in memory (a DataFrame, an Arrow
table or reader, dicts), and where each one's results go by default.

A path (`str` or `os.PathLike`) or an S3 object (`S3Url`) goes to the file readers (`source.open_source`;
an object is read at the version its first opening found); anything else to
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
from bulkload.storage.access import S3Access
from bulkload.storage.client import S3Settings
from bulkload.storage.input import S3File
from bulkload.storage.options import Location, as_location, results_beside
from bulkload.storage.url import S3Url

if TYPE_CHECKING:
    from bulkload.source.memory import ConvertedFrame, MemoryData

InputData: TypeAlias = "str | os.PathLike[str] | S3Url | MemoryData"
"""A job's input: the path or `s3://` URL of a CSV, Parquet or Excel file, or data in memory (see
`source.memory`)."""

RESULTS_REQUIRED = (
    "data in memory has no file name to put its results beside: pass results= a path for the results "
    "file (the job's record: loading into the same path again sends only the rows not created yet)"
)
"""Why data in memory needs its results path given."""


def is_path(data: InputData) -> TypeGuard[str | os.PathLike[str] | S3Url]:
    """Whether `data` names a file (a path, or an object in S3), rather than being data in memory."""
    return isinstance(data, str | os.PathLike | S3Url)


def read_once(data: InputData) -> bool:
    """Whether `data` can be read only once (an iterator, a RecordBatchReader): not again after a look."""
    return not is_path(data) and isinstance(data, Iterator)


def open_input(
    data: InputData, options: SourceOptions, *, fingerprint: bool = True, s3: S3Settings | None = None
) -> Source:
    """Open a file (local, or in S3 read with the client `s3` describes) as `open_source` does, or data in
    memory as `open_data` does.

    `fingerprint=False` skips hashing data in memory, for a job whose id is given (a file's fingerprint
    is cheap and always taken).
    """
    return InputOpener(data, options, S3Access(s3 or S3Settings())).open(fingerprint=fingerprint)


class InputOpener:
    """Opens one input as often as a job reads it; data in memory is converted once (see the module doc)."""

    def __init__(self, data: InputData, options: SourceOptions, s3: S3Access) -> None:
        """Open `data` read with `options` (an object in S3 with the client of `s3`) each time `open` is
        called."""
        self._data: InputData | S3File | ConvertedFrame = data
        self._options = options
        self._s3 = s3

    def open(self, *, fingerprint: bool = True) -> Source:
        """Open the input afresh (`fingerprint`: as `open_input` takes it)."""
        if isinstance(self._data, str | os.PathLike | S3Url):
            # One S3 object for every opening, so the pre-pass reads the version the run reads.
            self._data = self._s3.input_file(as_location(self._data))
        if isinstance(self._data, Path | S3File):
            return open_source(self._data, self._options)
        from bulkload.source.memory import once_converted, open_data  # noqa: PLC0415 - imports pandas

        self._data = once_converted(self._data)
        return open_data(self._data, self._options, fingerprint=fingerprint)


def default_results_path(data: InputData) -> Location:
    """`<input stem>.results.csv` beside the input (a file, or an object in S3); data in memory has none
    (ConfigError)."""
    if not is_path(data):
        raise ConfigError(RESULTS_REQUIRED)
    return results_beside(as_location(data))


def input_label(data: InputData) -> str:
    """How messages name the input before it is opened: its path or URL, or that it is data in memory."""
    if isinstance(data, S3Url):
        return str(data)
    return os.fspath(data) if isinstance(data, str | os.PathLike) else "data in memory"
