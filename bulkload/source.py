"""Read the input file (CSV, Parquet or Excel) as a stream of bounded chunks of `SourceRow`s.

Every cell reaches the rest of bulkload as the text the user typed: no float conversion, leading zeros
kept, and an empty cell (or one holding only whitespace) is absent from `SourceRow.cells`, never "".
Memory stays flat whatever the file's size: each format is read incrementally.

Every third-party error (csv, pyarrow, openpyxl, the OS) is translated here, into `UnreadableFileError`
(the file cannot be read) or `InputError` (its header is broken), each a single line naming the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import errno
import hashlib
import json
import math
import os
import stat
import threading
import time
import warnings
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

if TYPE_CHECKING:
    # Imported where used: a CSV job need not pay ~0.25 s to import pyarrow, numpy and openpyxl.
    import pyarrow as pa
    import pyarrow.parquet as pq

from bulkload.cells import CSV_FIELD_LIMIT, MILLISECOND, SECOND, UNIX_EPOCH
from bulkload.errors import ConfigError, InputError, UnreadableFileError
from bulkload.records import SourceRow

__all__ = ["InputInfo", "Source", "SourceOptions", "open_source"]

Format = Literal["auto", "csv", "parquet", "xlsx"]

_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_KNOWN_FORMATS = "CSV (.csv, .txt, .tsv), Parquet (.parquet, .pq) and Excel (.xlsx, .xlsm)"
_BLOCK = 1 << 20  # bytes per read in the CSV scan and when fingerprinting
_SAMPLE = 4 << 20  # the fingerprint hashes the size, the first and the last this many bytes
_FIRST_CHUNK = 64  # rows in the first chunk, so the first request does not wait for a full chunk
_SCAN_GRACE = 0.3  # seconds the first CSV rows wait for the background scan to finish (see _CsvScan)
_SCAN_INLINE = 16 << 20  # CSV files up to this size are scanned before `open_source` returns
_EXACT_INT_FLOAT = 1e16  # below this an integral float prints exactly as the integer a user typed
_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True, kw_only=True)
class SourceOptions:
    """How to read the input; options that do not apply to the file's format are ignored."""

    format: Format = "auto"  # "auto": by extension
    encoding: str = "utf-8"  # CSV only; "utf-8" also accepts and strips a byte order mark
    delimiter: str | None = None  # CSV only; None: "," (or a tab for .tsv)
    sheet: str | None = None  # Excel only; a sheet name or a 1-based index; None: the first sheet
    chunk_rows: int = 2000

    def __post_init__(self) -> None:
        if self.format not in ("auto", "csv", "parquet", "xlsx"):
            raise ConfigError(f"unknown input format {self.format!r}; choose csv, parquet or xlsx")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ConfigError(f"the delimiter must be one character, not {self.delimiter!r}")
        if self.chunk_rows < 1:
            raise ConfigError(f"chunk_rows must be at least 1, not {self.chunk_rows}")
        try:
            codec = codecs.lookup(self.encoding)
        except LookupError:
            raise ConfigError(f"unknown encoding {self.encoding!r}") from None
        if not codec._is_text_encoding:  # rot13, hex, base64, zlib, uu: codecs, but not bytes <-> text
            raise ConfigError(
                f"{self.encoding!r} is not a text encoding; use one such as utf-8, cp1252 or utf-16"
            )


@dataclass(frozen=True)
class InputInfo:
    """What is known about the input before its first row is read."""

    path: Path
    format: str  # "csv" | "parquet" | "xlsx"
    header: tuple[str, ...]  # column names, stripped of surrounding whitespace
    total_rows: int | None  # an estimate for progress: see `open_source`
    fingerprint: str  # a hash of the file's content, for deriving a job id: see `_fingerprint`


class Source:
    """An open input: its `info`, and its rows as bounded chunks in input order."""

    def __init__(
        self,
        info: InputInfo,
        rows: Iterator[SourceRow],
        chunk_rows: int,
        close: Callable[[], None],
        scan: _CsvScan | None = None,
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
        the background scan finds undecodable bytes (see `_CsvScan`).
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


def open_source(path: str | Path, options: SourceOptions = SourceOptions()) -> Source:
    """Open the input, read its header and check what can be checked before the first row.

    Raises `UnreadableFileError` for a missing, empty or unreadable file (or one that is not a regular
    file: a named pipe would block the open for ever), an unknown format or sheet, and
    (CSV) undecodable bytes anywhere in the file; `InputError` for a duplicated or blank column name.

    `info.total_rows` is known up front but is an estimate for progress reporting: Parquet's is exact;
    Excel's comes from the sheet's recorded dimension; CSV's counts the lines after the header. Blank
    lines (and, in CSV, quoted values spanning lines) make the last two overcount.
    """
    path = Path(path)
    fmt = _format_of(path, options)
    size = _check_readable(path)
    if size == 0:
        raise UnreadableFileError(f"{path}: the file is empty")
    stack = ExitStack()
    try:
        if fmt == "csv":
            source = _open_csv(path, options, stack)
        elif fmt == "parquet":
            source = _open_parquet(path, options, stack)
        else:
            source = _open_xlsx(path, options, stack)
    except BaseException:
        stack.close()
        raise
    return source


# -- shared helpers ----------------------------------------------------------------------------------------


def _format_of(path: Path, options: SourceOptions) -> str:
    if options.format != "auto":
        return options.format
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        what = f"its extension {path.suffix!r}" if path.suffix else "its name (it has no extension)"
        raise UnreadableFileError(
            f"{path}: cannot tell the file's format from {what}; bulkload reads {_KNOWN_FORMATS}"
        )
    return fmt


def _check_readable(path: Path) -> int:
    """The file's size; a missing file, a directory, a pipe or a permission problem becomes one clear line."""
    try:
        # stat() before opening: opening a named pipe blocks until something writes to it, for ever.
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise UnreadableFileError(
                f"{path}: is not a regular file (a named pipe, socket or device?); save the rows to a file "
                "and give that file"
            )
        with path.open("rb") as f:  # opening, not just stat(), is what reveals a permission problem
            return os.fstat(f.fileno()).st_size
    except FileNotFoundError as exc:
        raise UnreadableFileError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise UnreadableFileError(f"{path}: is a directory, not a file") from exc
    except PermissionError as exc:
        raise UnreadableFileError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc


def _fingerprint(path: Path) -> str:
    """A hash of the file's content for the job id: its size, its first and its last 4 MiB.

    Bounded, so a 10 GB file costs what a 10 MB one does and the first request is not held back by
    hashing the whole file. Files up to 8 MiB are hashed whole. Two different files with the same size
    and the same first and last 4 MiB share a job id; their differing rows still get different tokens
    (a token covers the row's request), and their identical rows are the same work.
    """
    hasher = hashlib.blake2b(digest_size=16)
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            hasher.update(f"{size}\n".encode())
            if size <= 2 * _SAMPLE:
                hasher.update(f.read())
            else:
                hasher.update(f.read(_SAMPLE))
                f.seek(size - _SAMPLE)
                hasher.update(f.read(_SAMPLE))
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    return hasher.hexdigest()


def _is_blank(text: str) -> bool:
    """An empty cell, or one holding only whitespace: both mean "absent"."""
    return not text or text.isspace()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_header(
    names: Sequence[str], path: Path, where: str, column: Callable[[int], str], drop_trailing: bool
) -> tuple[str, ...]:
    """Strip the names; drop trailing blank ones (Excel exports leave them); refuse blanks and duplicates."""
    header = [name.strip() for name in names]
    if drop_trailing:
        while header and not header[-1]:
            header.pop()
    for i, name in enumerate(header):
        if not name:
            left = next((n for n in reversed(header[:i]) if n), None)
            right = next((n for n in header[i + 1 :] if n), None)
            if left is None:
                place = f"before {right!r}"
            elif right is None:
                place = f"after {left!r}"
            else:
                place = f"between {left!r} and {right!r}"
            raise InputError(
                f"{path}: {where} has no name in column {column(i)}, {place}; name the column or delete it"
            )
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"{path}: {where} names {name!r} twice, in columns {column(seen[name])} and {column(i)}"
            )
        seen[name] = i
    return tuple(header)


def _number(i: int) -> str:
    return str(i + 1)


def _float_text(value: float) -> str | None:
    """A float as a user would have typed it: `3` not `3.0`, else the shortest text that round-trips.

    Spreadsheets have one number type, so a whole number typed as `3` often arrives as the float 3.0;
    printing it as `3` gives back what was typed. Beyond 1e16 floats are no longer exact integers and
    `repr` (`1e+20`) is the honest text. NaN is how pandas and Excel tooling spell "no value": absent.
    """
    if math.isnan(value):
        return None
    if value.is_integer() and abs(value) < _EXACT_INT_FLOAT:
        return str(int(value))
    return repr(value)


# -- CSV -----------------------------------------------------------------------------------------------------
#
# We deliberately do not use pandas.read_csv: its C engine pads a short line with NaN silently and does not
# report an over-long one per row, which breaks the contract that a ragged line becomes a row with a problem
# (keeping its row number, never shifting its neighbours). The stdlib csv reader (C-accelerated) gives every
# record as it is, and its `line_num` gives exact physical line numbers, even across quoted line breaks.


class _LineCounter:
    """Counts line breaks as csv with newline="" sees them: "\\n", "\\r\\n" and a lone "\\r"."""

    __slots__ = ("_cr_pending", "breaks", "last")

    def __init__(self) -> None:
        self.breaks = 0
        self.last = ""
        self._cr_pending = False

    def feed(self, text: str) -> None:
        if not text:
            return
        breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
        if self._cr_pending and text[0] == "\n":
            breaks -= 1  # a "\r\n" split across two blocks was counted as a lone "\r" already
        self.breaks += breaks
        self._cr_pending = text[-1] == "\r"
        self.last = text[-1]

    def feed_bytes(self, block: bytes) -> None:
        """`feed` for encodings whose bytes 0x0A and 0x0D are only ever LF and CR (twice as fast)."""
        if not block:
            return
        breaks = block.count(b"\n")
        if b"\r" in block:  # rare outside Windows files; counting "\r\n" is the slow part
            breaks += block.count(b"\r") - block.count(b"\r\n")
            if self._cr_pending and block[0] == 0x0A:
                breaks -= 1
        self.breaks += breaks
        self._cr_pending = block[-1] == 0x0D
        self.last = chr(block[-1])

    @property
    def lines(self) -> int:
        """Physical lines: a last line without a line break counts too."""
        return self.breaks + (1 if self.last not in ("", "\n", "\r") else 0)


def _codec(encoding: str) -> str:
    # A BOM is how Excel's "CSV UTF-8" starts; utf-8-sig strips it and reads BOM-less UTF-8 just the same.
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


# Encodings in which the bytes 0x0A and 0x0D only ever mean LF and CR: lines can be counted on the bytes.
_BYTE_LINES = frozenset(
    {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-15"} | {f"cp{n}" for n in range(1250, 1259)}
)


class _CsvScan:
    """One streaming pass over a CSV file's bytes: check they all decode, count the lines.

    Decoding every byte before sending means a bad byte on line 900,000 stops the job before its first
    task, not halfway through. Files up to `_SCAN_INLINE` bytes are scanned before `open_source` returns
    (a few milliseconds). Larger ones are scanned in a thread, so that the first request goes out within a
    second whatever the size: the first rows wait for the scan for up to `_SCAN_GRACE` seconds (counted
    from the open, so the wait overlaps creating the client), which at several hundred MB/s covers files
    of about 100 MB. Past that, the scan runs far ahead of the rows being sent (the quota allows a few
    thousand rows a second at most) and the source raises its error at the next chunk: no row after the
    bad bytes, nor any row read after the error was found, is ever sent.
    """

    def __init__(self, path: Path, codec: str, encoding: str, *, background: bool) -> None:
        self.path = path
        self.codec = codec
        self.encoding = encoding
        self.lines = 0
        self.header_end = 0  # set by the opener once the header is read
        self.error: UnreadableFileError | None = None
        self.done = threading.Event()
        self._cancelled = False
        self._started = time.monotonic()
        if background:
            threading.Thread(target=self._run, name="bulkload-csv-scan", daemon=True).start()
        else:
            self._run()

    @property
    def total_rows(self) -> int | None:
        """Lines after the header, once the scan is done (an estimate: see `open_source`)."""
        if not self.done.is_set() or self.error is not None:
            return None
        return max(self.lines - self.header_end, 0)

    def wait_grace(self) -> None:
        """Wait for the scan until `_SCAN_GRACE` seconds after it started; raise its error if it has one."""
        self.done.wait(max(0.0, self._started + _SCAN_GRACE - time.monotonic()))
        if self.error is not None:
            raise self.error

    def wait_error(self) -> UnreadableFileError:
        """The scan's error, after a read of the file failed to decode (the scan locates it exactly)."""
        self.done.wait()
        return self.error or _locate_decode_error(self.path, self.codec, self.encoding)

    def cancel(self) -> None:
        self._cancelled = True

    def _run(self) -> None:
        try:
            self.lines = self._count()
        except UnicodeDecodeError:
            self.error = _locate_decode_error(self.path, self.codec, self.encoding)
        except UnicodeError as exc:  # a codec that fails without saying where (punycode, undefined)
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.error = UnreadableFileError(
                f"{self.path}: cannot decode the file as {self.encoding} ({reason}); check --encoding"
            )
        except OSError as exc:
            self.error = UnreadableFileError(f"{self.path}: cannot read the file: {exc.strerror or exc}")
        finally:
            self.done.set()

    def _count(self) -> int:
        decoder = codecs.getincrementaldecoder(self.codec)("strict")
        counter = _LineCounter()
        on_bytes = codecs.lookup(self.codec).name in _BYTE_LINES
        with self.path.open("rb") as f:
            while (block := f.read(_BLOCK)) and not self._cancelled:
                text = decoder.decode(block)
                if on_bytes:
                    counter.feed_bytes(block)
                else:
                    counter.feed(text)
            tail = decoder.decode(b"", final=True)
            if not on_bytes:
                counter.feed(tail)
        return counter.lines


def _locate_decode_error(path: Path, codec: str, encoding: str) -> UnreadableFileError:
    """Find the line and bytes of the first decoding error (a slower pass, run only when there is one)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    counter = _LineCounter()
    # In ASCII-compatible encodings a lone "\r" byte before the bad bytes is a line break we must count.
    ascii_breaks = "\r\n".encode(codec)[-2:] == b"\r\n"
    with path.open("rb") as f:
        for piece in f:  # split at b"\n"; the incremental decoder copes with pieces that split a character
            try:
                counter.feed(decoder.decode(piece))
            except UnicodeDecodeError as exc:
                # exc.object ends where `piece` ends (it may carry a few buffered bytes in front).
                offset = max(exc.start - (len(exc.object) - len(piece)), 0)
                line = counter.breaks + 1 + (piece[:offset].count(b"\r") if ascii_breaks else 0)
                return _decode_error(path, line, exc.object[exc.start : exc.end], encoding)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return _decode_error(path, max(counter.lines, 1), exc.object[exc.start : exc.end], encoding)
    return UnreadableFileError(f"{path}: the file is not valid {encoding} (it changed while being read?)")


def _decode_error(path: Path, line: int, bad: bytes, encoding: str) -> UnreadableFileError:
    bom = _bom_encoding(path)
    if bom is not None and not codecs.lookup(encoding).name.startswith(bom):
        hint = f"the file starts with a {bom.upper()} byte order mark: try --encoding {bom}"
    elif codecs.lookup(encoding).name == "utf-8":
        hint = "if the file came from Excel try --encoding cp1252"
    else:
        hint = "check --encoding (utf-8 and cp1252 are the usual ones; latin-1 accepts any bytes)"
    return UnreadableFileError(f"{path}: line {line}: the bytes {bad!r} are not valid {encoding}; {hint}")


def _bom_encoding(path: Path) -> str | None:
    """The encoding ("utf-16" or "utf-32") whose byte order mark starts the file, else None."""
    try:
        with path.open("rb") as f:
            start = f.read(4)
    except OSError:
        return None
    if start in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def _csv_reader(text: Iterable[str], delimiter: str) -> Any:
    # Process-global; set where the reader is made, so no other code's setting can stop a job at a big cell.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(text, delimiter=delimiter)


def _open_csv(path: Path, options: SourceOptions, stack: ExitStack) -> Source:
    codec = _codec(options.encoding)
    scan = _CsvScan(path, codec, options.encoding, background=path.stat().st_size > _SCAN_INLINE)
    stack.callback(scan.cancel)
    if scan.error is not None:
        raise scan.error
    fingerprint = _fingerprint(path)
    delimiter = options.delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        text = stack.enter_context(path.open(encoding=codec, newline="", errors="strict", buffering=_BLOCK))
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    reader = _csv_reader(text, delimiter)
    names: list[str] | None = None
    header_line = header_end = 0
    try:
        for record in reader:
            if not all(_is_blank(field) for field in record):
                names, header_line = record, header_end + 1
                header_end = reader.line_num
                break
            header_end = reader.line_num
    except csv.Error as exc:
        raise UnreadableFileError(f"{path}: line {header_end + 1}: {exc}") from exc
    except UnicodeError as exc:
        raise scan.wait_error() from exc
    if names is None:
        raise UnreadableFileError(f"{path}: the file has no header row (it holds only blank lines)")
    header = _check_header(names, path, f"the header (line {header_line})", _number, drop_trailing=True)
    scan.header_end = header_end
    info = InputInfo(path, "csv", header, scan.total_rows, fingerprint)
    rows = _csv_rows(path, reader, header, header_end, scan)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close, scan)


def _csv_rows(
    path: Path, reader: Any, header: tuple[str, ...], header_end: int, scan: _CsvScan
) -> Iterator[SourceRow]:
    width = len(header)
    row = 0
    end = header_end  # the last physical line of the previous record
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            fields = len(record)
            # The common case, kept to C-level loops: a full record without a blank cell (str.strip
            # returns a non-empty string for every cell that is not blank).
            if fields == width and all(map(str.strip, record)):
                row += 1
                yield SourceRow(row=row, line=line, cells=dict(zip(header, record, strict=True)))
                continue
            cells = {
                name: field
                for name, field in zip(header, record, strict=False)
                if field and not field.isspace()
            }
            if fields == width:
                if cells:
                    row += 1
                    yield SourceRow(row=row, line=line, cells=cells)
                continue
            extra = fields > width and not all(_is_blank(field) for field in record[width:])
            if not cells and not extra:
                continue  # a blank line, or only delimiters: not a row
            row += 1
            if extra or fields < width:
                problem = f"line {line} has {fields} fields; the header has {width}"
                yield SourceRow(row=row, line=line, cells={}, problem=problem)
            else:
                yield SourceRow(row=row, line=line, cells=cells)  # every extra field is empty
    except csv.Error as exc:
        raise UnreadableFileError(f"{path}: line {end + 1}: {exc}") from exc
    except UnicodeError as exc:  # the reader got to the bad bytes first: the scan says where they are
        raise scan.wait_error() from exc


# -- Parquet -------------------------------------------------------------------------------------------------


def _open_parquet(path: Path, options: SourceOptions, stack: ExitStack) -> Source:
    import pyarrow as pa  # noqa: PLC0415 - lazy, see the top
    import pyarrow.parquet as pq  # noqa: PLC0415 - lazy, see the top

    fingerprint = _fingerprint(path)
    try:
        # Read page by page (no pre-buffering of a whole row group), so memory does not grow with the
        # row group size either: pandas writes a million rows to one row group.
        parquet = pq.ParquetFile(str(path), pre_buffer=False, buffer_size=_BLOCK)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(f"{path}: not a readable Parquet file: {_first_line(exc)}") from exc
    stack.callback(parquet.close)
    schema = parquet.schema_arrow
    # pandas stores a non-default index as an extra column. An unnamed one (`__index_level_0__`) is row
    # numbering nobody typed, so it is not a column here; a named one (`df.set_index("Name")`) is the
    # user's own column moved into the index, and stays.
    index_columns = {
        c
        for c in (schema.pandas_metadata or {}).get("index_columns", [])
        if isinstance(c, str) and c.startswith("__index_level_")
    }
    columns = [name for name in schema.names if name not in index_columns]
    if not columns:
        raise UnreadableFileError(f"{path}: the Parquet file has no columns")
    header = _check_header(columns, path, "the Parquet schema", _number, drop_trailing=False)
    info = InputInfo(path, "parquet", header, parquet.metadata.num_rows, fingerprint)
    rows = _parquet_rows(path, parquet, columns, header, options.chunk_rows)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close)


def _parquet_rows(
    path: Path, parquet: pq.ParquetFile, columns: list[str], header: tuple[str, ...], batch_rows: int
) -> Iterator[SourceRow]:
    import pyarrow as pa  # noqa: PLC0415 - lazy, see the top

    row = 0
    index = 0  # records read so far; a record's line is its 0-based index + 2, as if a header sat on line 1
    try:
        # One thread: decoding threads buy nothing while the Python side sets the pace, and each keeps
        # its own allocator heap (tens of MB of RSS).
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns, use_threads=False):
            converted = [_column_texts(column) for column in batch.columns]
            texts = [column_texts for column_texts, _ in converted]
            # A value no text can show makes its own row invalid, naming its column; the rest still load.
            problems: dict[int, str] = {}
            for name, (_, failed) in zip(header, converted, strict=True):
                for position, reason in failed.items():
                    problems.setdefault(position, f"column {name!r}: {reason}")
            for position, values in enumerate(zip(*texts, strict=True)):
                index += 1
                if problems and position in problems:
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells={}, problem=problems[position])
                    continue
                if None not in values:  # the common case, a full record, in C-level loops
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells=dict(zip(header, values, strict=True)))
                    continue
                cells = {name: value for name, value in zip(header, values, strict=True) if value is not None}
                if cells:
                    row += 1
                    yield SourceRow(row=row, line=index + 1, cells=cells)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFileError(f"{path}: cannot read record {index + 1}: {_first_line(exc)}") from exc


def _column_texts(array: pa.Array[Any]) -> tuple[list[str | None], dict[int, str]]:
    """`_arrow_texts`, and the values it cannot show (their text is None) by position, each with why.

    Converting a column is all or nothing, so a column that fails is converted again value by value: one
    value that no text can show (a nested timestamp past year 9999, say) must not stop the other rows.
    """
    try:
        texts = _arrow_texts(array)
    except Exception:  # noqa: BLE001 - pyarrow, numpy and datetime raise many kinds; retried value by value
        return _value_texts(array)
    return texts, {}


def _value_texts(array: pa.Array[Any]) -> tuple[list[str | None], dict[int, str]]:
    texts: list[str | None] = []
    failed: dict[int, str] = {}
    for i in range(len(array)):
        try:
            texts.extend(_arrow_texts(array.slice(i, 1)))
        except Exception as exc:  # noqa: BLE001 - any failure is this one value's, and names it
            texts.append(None)
            failed[i] = f"its {array.type} value cannot be read as text ({_first_line(exc)})"
    return texts, failed


def _arrow_texts(array: pa.Array[Any]) -> list[str | None]:
    """One column as text, None where absent.

    Strings as stored (blank ones absent); integers and decimals as their digits (decimals keep their
    scale: `1.50`); floats per `_float_text`; bools `true`/`false`; timestamps, dates and times as ISO 8601
    (a timestamp with a time zone carries its offset); lists, structs and maps as compact JSON; binary as
    UTF-8 (undecodable bytes shown as `\\x..` escapes).
    """
    import pyarrow as pa  # noqa: PLC0415 - lazy, see the top
    import pyarrow.compute as pc  # noqa: PLC0415 - lazy, see the top

    kind = array.type
    if isinstance(array, pa.DictionaryArray):  # pandas categoricals
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        # `not value` is true for None and "": both absent.
        return [None if not value or value.isspace() else value for value in array.to_pylist()]
    if (
        pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)  # Arrow prints dates as ISO 8601 already
    ):
        texts: list[str | None] = pc.cast(array, pa.string()).to_pylist()
        return texts
    if pa.types.is_float64(kind):
        return [None if value is None else _float_text(value) for value in array.to_pylist()]
    if pa.types.is_floating(kind):  # float32/16: Arrow prints the shortest text for the narrower type
        return [
            None if value is None or value == "nan" else value
            for value in pc.cast(array, pa.string()).to_pylist()
        ]
    if pa.types.is_timestamp(kind):
        return _timestamp_texts(array)
    if pa.types.is_null(kind):
        return [None] * len(array)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return [None if value is None else _bytes_text(value) for value in array.to_pylist()]
    if pa.types.is_nested(kind):
        return [None if value is None else _json_text(value) for value in _nested_values(array)]
    return [None if value is None else _scalar_text(value) for value in array.to_pylist()]


def _timestamp_texts(array: pa.Array[Any]) -> list[str | None]:
    """Timestamps as ISO 8601, with the offset of their time zone if they have one.

    `to_pylist` makes a pandas.Timestamp and looks its zone up for every value (about 10 µs each);
    numpy's datetime64 -> datetime conversion and one zone object for the column are ten times faster.
    Values it cannot take (nanoseconds, years beyond 9999, an unknown zone) go the slow, exact way; see
    `_timestamp_values` for a value no datetime can hold.
    """
    import numpy as np  # noqa: PLC0415 - lazy, see the top
    import pyarrow as pa  # noqa: PLC0415 - lazy, see the top

    kind = array.type
    assert isinstance(kind, pa.TimestampType)
    try:
        values = array.to_numpy(zero_copy_only=False)
        if kind.unit == "ns":
            known = values[~np.isnat(values)].view("int64")
            if (known % 1000).any():
                raise ValueError("nanoseconds do not fit a datetime")
            values = values.astype("datetime64[us]")
        moments: list[dt.datetime | None] = values.tolist()
        zone = _zone(kind.tz)
        if zone is None:
            return [None if moment is None else moment.isoformat() for moment in moments]
        if zone is dt.UTC:
            return [None if moment is None else moment.isoformat() + "+00:00" for moment in moments]
        return [
            None if moment is None else moment.replace(tzinfo=dt.UTC).astimezone(zone).isoformat()
            for moment in moments
        ]
    except (ValueError, AttributeError, OverflowError, KeyError):  # AttributeError: tolist() gave an int
        return _timestamp_values(array)


def _timestamp_values(array: pa.Array[Any]) -> list[str | None]:
    """Timestamps by way of pyarrow's own datetimes (pandas.Timestamps for nanoseconds).

    A moment that a datetime holds only in UTC, not in its zone (0001-01-01T00:00Z in America/New_York
    falls in year 0 there), is given in UTC: `0001-01-01T00:00:00+00:00`, the same moment, which a time
    field then refuses as long past. One that no datetime holds even in UTC raises OverflowError, and
    `_column_texts` makes its row invalid.
    """
    import pyarrow as pa  # noqa: PLC0415 - lazy, see the top

    try:
        return [None if value is None else _scalar_text(value) for value in array.to_pylist()]
    except (OverflowError, ValueError):
        pass
    kind = array.type
    assert isinstance(kind, pa.TimestampType)
    raw: list[int | None] = array.cast(pa.int64()).to_pylist()
    texts: list[str | None] = []
    for i, scalar in enumerate(array):
        try:
            value = scalar.as_py()
        except (OverflowError, ValueError) as exc:
            step = {"s": SECOND, "ms": MILLISECOND, "us": _MICROSECOND}.get(kind.unit)
            ticks = raw[i]
            try:
                if kind.tz is None or step is None or ticks is None:  # no zone to blame; ns always fit
                    raise exc
                texts.append((UNIX_EPOCH + ticks * step).isoformat())
            except (OverflowError, ValueError):
                raise OverflowError("a moment outside the years 1 to 9999") from exc
        else:
            texts.append(None if value is None else _scalar_text(value))
    return texts


def _zone(name: str | None) -> dt.tzinfo | None:
    """The tzinfo for an Arrow time zone: a zone name or a fixed offset such as "+02:00"."""
    if name is None:
        return None
    if name in ("UTC", "Etc/UTC", "Z", "+00:00"):
        return dt.UTC
    if name[:1] in ("+", "-"):
        offset = dt.datetime.strptime(name.replace(":", ""), "%z").utcoffset()
        assert offset is not None
        return dt.timezone(offset)
    return zoneinfo.ZoneInfo(name)  # KeyError (ZoneInfoNotFoundError) for a zone it does not know


def _nested_values(array: pa.Array[Any]) -> list[Any]:
    try:
        return array.to_pylist(maps_as_pydicts="strict")
    except (KeyError, ValueError):  # a map with a repeated key: keep every pair rather than lose one
        return array.to_pylist()


def _bytes_text(value: bytes) -> str | None:
    text = value.decode("utf-8", errors="backslashreplace")
    return None if _is_blank(text) else text


def _scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return None if _is_blank(value) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.date | dt.time):  # datetime and pandas.Timestamp are dates too
        return value.isoformat()
    if isinstance(value, bytes):
        return _bytes_text(value)
    return str(value)


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)


def _json_text(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


# -- Excel ---------------------------------------------------------------------------------------------------


def _open_xlsx(path: Path, options: SourceOptions, stack: ExitStack) -> Source:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - lazy, see the top

    fingerprint = _fingerprint(path)
    workbook = _load_workbook(path, stack)
    sheets = workbook.worksheets
    sheet = _pick_sheet(path, sheets, options.sheet)
    dimension_rows: int | None = sheet.max_row
    # Trust the cells, not the recorded dimension: some writers record a wrong one, and openpyxl would
    # then cut the rows (or the columns) short.
    sheet.reset_dimensions()
    values: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    names: list[str] | None = None
    line = 0  # the header's sheet row: the first row holding anything
    try:
        for number, record in enumerate(values, start=1):
            texts = [_excel_text(value) for value in record]
            if any(text is not None for text in texts):
                names, line = [text or "" for text in texts], number
                break
    except Exception as exc:  # openpyxl raises anything on a damaged sheet: see _load_workbook
        raise UnreadableFileError(f"{path}: cannot read the Excel workbook: {_first_line(exc)}") from exc
    if names is None:
        raise UnreadableFileError(f"{path}: sheet {sheet.title!r} is empty: it has no header row")

    def letter(i: int) -> str:
        return str(get_column_letter(i + 1))

    where = f"the header (sheet {sheet.title!r}, row {line})"
    header = _check_header(names, path, where, letter, drop_trailing=True)
    total = max(dimension_rows - line, 0) if dimension_rows is not None else None
    info = InputInfo(path, "xlsx", header, total, fingerprint)
    rows = _xlsx_rows(path, values, header, line, letter)
    return Source(info, rows, options.chunk_rows, stack.pop_all().close)


def _load_workbook(path: Path, stack: ExitStack) -> Any:
    import openpyxl  # noqa: PLC0415 - lazy, see the top

    # Hand openpyxl an open file, not the name, so `--format xlsx` works whatever the extension.
    f = stack.enter_context(path.open("rb"))
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; they do not change the values we read.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(f, read_only=True, data_only=True, keep_links=False)
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(
            f"{path}: not an Excel .xlsx workbook (it is not a zip archive: an old .xls file, "
            "or a CSV file renamed?)"
        ) from exc
    # openpyxl raises anything from KeyError to XML ParseError on a damaged file; each becomes one line.
    except Exception as exc:
        raise UnreadableFileError(f"{path}: cannot read the Excel workbook: {_first_line(exc)}") from exc
    stack.callback(workbook.close)
    return workbook


def _pick_sheet(path: Path, sheets: list[Any], wanted: str | None) -> Any:
    if not sheets:
        raise UnreadableFileError(f"{path}: the workbook has no worksheets")
    if wanted is None:
        return sheets[0]
    for sheet in sheets:
        if sheet.title == wanted:
            return sheet
    titles = ", ".join(repr(sheet.title) for sheet in sheets)
    digits = wanted.strip()
    if digits.isascii() and digits.isdigit():  # not "²": str.isdigit takes digits int() refuses
        number = int(digits)
        if 1 <= number <= len(sheets):
            return sheets[number - 1]
        count = f"{len(sheets)} sheet" + ("s" if len(sheets) > 1 else "")
        raise UnreadableFileError(f"{path}: there is no sheet {number}; the workbook has {count}: {titles}")
    raise UnreadableFileError(f"{path}: there is no sheet named {wanted!r}; the sheets are {titles}")


def _xlsx_rows(
    path: Path,
    values: Iterable[tuple[object, ...]],
    header: tuple[str, ...],
    header_line: int,
    letter: Callable[[int], str],
) -> Iterator[SourceRow]:
    width = len(header)
    row = 0
    line = header_line
    try:
        for line, record in enumerate(values, start=header_line + 1):
            texts = [_excel_text(value) for value in record]
            cells = {name: text for name, text in zip(header, texts, strict=False) if text is not None}
            stray = next((i for i in range(width, len(texts)) if texts[i] is not None), None)
            if not cells and stray is None:
                continue  # a blank row is not a row
            row += 1
            if stray is not None:
                problem = f"sheet row {line} has a value in column {letter(stray)}, which has no header"
                yield SourceRow(row=row, line=line, cells={}, problem=problem)
            else:
                yield SourceRow(row=row, line=line, cells=cells)
    except Exception as exc:  # openpyxl raises anything on a damaged sheet: see _load_workbook
        raise UnreadableFileError(
            f"{path}: sheet row {line + 1}: cannot read it: {_first_line(exc)}"
        ) from exc


def _excel_text(value: object) -> str | None:
    """A cell as the text the user sees.

    Text as typed (a cell of only whitespace is empty); whole numbers without `.0` (Excel stores every
    number as a float); other floats as the shortest text that round-trips; bools `true`/`false`; dates,
    times and datetimes as naive ISO 8601 (`2026-11-24T09:00:00`).
    """
    if value is None:
        return None
    if type(value) is str:
        return None if _is_blank(value) else value
    return _scalar_text(value)
