"""What every reader returns: `InputInfo`, known before the first row, and a `Source` of chunked rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from bulkload.records import SourceRow

if TYPE_CHECKING:
    from bulkload.source.csv_scan import CsvScan
    from bulkload.source.files import InputFile

_FIRST_CHUNK = 64  # rows in the first chunk, so the first request does not wait for a full chunk


@dataclass(frozen=True)
class InputInfo:
    """What is known about the input before its first row is read."""

    path: Path | None  # the input file; None for data in memory or an object in S3
    format: str  # "csv" | "parquet" | "xlsx"; for data in memory "dataframe" | "arrow" | "dicts"
    header: tuple[str, ...]  # column names, stripped of surrounding whitespace
    total_rows: int | None  # an estimate for progress: see `open_source`
    # A hash of the content, for deriving a job id: see `files.fingerprint` and `arrow_hash`; "" for data
    # in memory opened without one (its caller names the job).
    fingerprint: str
    # Data in memory: what it is, for messages ("the DataFrame of 3 rows x 2 columns"); an object in S3:
    # its URL.
    description: str = ""

    @classmethod
    def of_file(
        cls, file: InputFile, format: str, header: tuple[str, ...], total_rows: int | None, fingerprint: str
    ) -> InputInfo:
        """The info of an input file: its path, or for a file not on disk its name as the description."""
        description = "" if file.path is not None else file.name
        return cls(file.path, format, header, total_rows, fingerprint, description)

    @property
    def name(self) -> str:
        """How messages name the input: the file's path, or what the data in memory is."""
        return self.description if self.path is None else str(self.path)


class Source:
    """An open input: its `info`, and its rows as bounded chunks in input order."""

    def __init__(
        self,
        info: InputInfo,
        rows: Iterator[SourceRow],
        chunk_rows: int,
        close: Callable[[], None],
        scan: CsvScan | None = None,
    ) -> None:
        self.info = info
        self._rows = rows
        self._chunk_rows = chunk_rows
        self._close = close
        self._scan = scan
        self._started = False

    @property
    def total_rows(self) -> int | None:
        """`info.total_rows`, or for a large CSV file, its line count once the background scan has it."""
        if self.info.total_rows is None and self._scan is not None:
            return self._scan.total_rows
        return self.info.total_rows

    def chunks(self) -> Iterator[list[SourceRow]]:
        """Yield the rows in lists of at most `chunk_rows`; the rows are read once, so call this once.

        The first list is short (a few dozen rows), so the first request need not wait for a whole chunk
        to be mapped and validated. For CSV, raises `UnreadableFileError` at the first chunk boundary after
        the background scan finds undecodable bytes (see `CsvScan`).
        """
        if self._started:
            raise RuntimeError("Source.chunks() can be called only once")
        self._started = True
        return self._chunk(self._rows, self._chunk_rows)

    def _chunk(self, rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
        scan = self._scan
        if scan is not None:
            scan.wait_grace()
        first = True
        while chunk := list(islice(rows, min(size, _FIRST_CHUNK) if first else size)):
            first = False
            if scan is not None and scan.error is not None:
                raise scan.error
            yield chunk
        if scan is not None:
            scan.done.wait()  # the rows are read, so the scan is (nearly) done: report its error, if any
            if scan.error is not None:
                raise scan.error

    def close(self) -> None:
        """Release the file (and the workbook or Parquet reader); safe to call twice."""
        close, self._close = self._close, _nothing
        if self._scan is not None:
            self._scan.cancel()
        close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _nothing() -> None:
    pass
