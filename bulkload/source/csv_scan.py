"""One streaming pass over a CSV file's bytes, in a thread for a large file: check they decode, count lines.

Decoding every byte before sending means a bad byte on line 900,000 stops the job before its first task,
not halfway through; the line count gives progress its total.
"""

from __future__ import annotations

import codecs
import threading
import time

from bulkload.errors import JobError, UnreadableFileError
from bulkload.source.files import BLOCK, InputFile, read_error

_SCAN_INLINE = 16 << 20  # files up to this size are scanned before `open_source` returns
_SCAN_GRACE = 0.3  # seconds the first rows wait for a background scan to finish (see CsvScan)

# Encodings in which the bytes 0x0A and 0x0D only ever mean LF and CR: lines can be counted on the bytes.
_BYTE_LINES = frozenset(
    {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-15"} | {f"cp{n}" for n in range(1250, 1259)}
)


class CsvScan:
    """One pass over a CSV file's bytes: check they all decode, count the lines.

    Files up to `_SCAN_INLINE` bytes are scanned before `open_source` returns (a few milliseconds).
    Larger ones are scanned in a thread, so that the first request goes out within a second whatever the
    size: the first rows wait for the scan for up to `_SCAN_GRACE` seconds (counted from the open, so the
    wait overlaps creating the client), which at several hundred MB/s covers files of about 100 MB. Past
    that, the scan runs far ahead of the rows being sent (the quota allows a few
    thousand rows a second at most) and the source raises its error at the next chunk: no row after the
    bad bytes, nor any row read after the error was found, is ever sent.
    """

    def __init__(self, file: InputFile, codec: str, encoding: str) -> None:
        self.file = file
        self.path = file.name
        self.codec = codec
        self.encoding = encoding
        self.lines = 0
        self.header_end = 0  # set by the opener once the header is read
        self.error: JobError | None = None
        self.done = threading.Event()
        self._cancelled = False
        self._started = time.monotonic()
        if file.check() > _SCAN_INLINE:
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

    def wait_error(self) -> JobError:
        """The scan's error, after a read of the file failed to decode (the scan locates it exactly)."""
        self.done.wait()
        return self.error or _locate_decode_error(self.file, self.codec, self.encoding)

    def cancel(self) -> None:
        """Stop a background scan at its next block (the source was closed)."""
        self._cancelled = True

    def _run(self) -> None:
        try:
            self.error = self._scan()
        except JobError as exc:  # a read of an S3 object failed (it says why)
            self.error = exc
        finally:
            self.done.set()

    def _scan(self) -> JobError | None:
        try:
            self.lines = self._count()
        except UnicodeDecodeError:
            return _locate_decode_error(self.file, self.codec, self.encoding)
        except UnicodeError as exc:  # a codec that fails without saying where (punycode, undefined)
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return UnreadableFileError(
                f"{self.path}: cannot decode the file as {self.encoding} ({reason}); check --encoding"
            )
        except OSError as exc:
            return read_error(self.path, exc)
        return None

    def _count(self) -> int:
        decoder = codecs.getincrementaldecoder(self.codec)("strict")
        counter = _LineCounter()
        on_bytes = codecs.lookup(self.codec).name in _BYTE_LINES
        with self.file.open(sequential=True) as f:
            while (block := f.read(BLOCK)) and not self._cancelled:
                text = decoder.decode(block)
                if on_bytes:
                    counter.feed_bytes(block)
                else:
                    counter.feed(text)
            tail = decoder.decode(b"", final=True)
            if not on_bytes:
                counter.feed(tail)
        return counter.lines


class _LineCounter:
    """Counts line breaks as csv with newline="" sees them: "\\n", "\\r\\n" and a lone "\\r"."""

    __slots__ = ("_cr_pending", "breaks", "last")

    def __init__(self) -> None:
        self.breaks = 0
        self.last = ""
        self._cr_pending = False

    def feed(self, text: str) -> None:
        """Count the line breaks in the next piece of decoded text."""
        if not text:
            return
        breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
        if self._cr_pending and text[0] == "\n":
            breaks -= 1  # a "\r\n" split across two blocks was counted as a lone "\r" already
        self.breaks += breaks
        self._cr_pending = text[-1] == "\r"
        self.last = text[-1]

    def feed_bytes(self, block: bytes) -> None:
        """`feed` on the raw bytes (faster), for encodings whose bytes 0x0A and 0x0D are only LF and CR."""
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


def _locate_decode_error(file: InputFile, codec: str, encoding: str) -> UnreadableFileError:
    """Find the line and bytes of the first decoding error (a slower pass, run only when there is one)."""
    path = file.name
    decoder = codecs.getincrementaldecoder(codec)("strict")
    counter = _LineCounter()
    # In ASCII-compatible encodings a lone "\r" byte before the bad bytes is a line break we must count.
    ascii_breaks = "\r\n".encode(codec)[-2:] == b"\r\n"
    with file.open(sequential=True) as f:
        for piece in f:  # split at b"\n"; the incremental decoder copes with pieces that split a character
            try:
                counter.feed(decoder.decode(piece))
            except UnicodeDecodeError as exc:
                # exc.object ends where `piece` ends (it may carry a few buffered bytes in front).
                offset = max(exc.start - (len(exc.object) - len(piece)), 0)
                line = counter.breaks + 1 + (piece[:offset].count(b"\r") if ascii_breaks else 0)
                return _decode_error(file, line, exc.object[exc.start : exc.end], encoding)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return _decode_error(file, max(counter.lines, 1), exc.object[exc.start : exc.end], encoding)
    return UnreadableFileError(f"{path}: the file is not valid {encoding} (it changed while being read?)")


def _decode_error(file: InputFile, line: int, bad: bytes, encoding: str) -> UnreadableFileError:
    bom = _bom_encoding(file)
    if bom is not None and not codecs.lookup(encoding).name.startswith(bom):
        hint = f"the file starts with a {bom.upper()} byte order mark: try --encoding {bom}"
    elif codecs.lookup(encoding).name == "utf-8":
        hint = "if the file came from Excel try --encoding cp1252"
    else:
        hint = "check --encoding (utf-8 and cp1252 are the usual ones; latin-1 accepts any bytes)"
    return UnreadableFileError(
        f"{file.name}: line {line}: the bytes {bad!r} are not valid {encoding}; {hint}"
    )


def _bom_encoding(file: InputFile) -> str | None:
    """The encoding ("utf-16" or "utf-32") whose byte order mark starts the file, else None."""
    try:
        with file.open(sequential=True) as f:
            start = f.read(4)
    except (OSError, JobError):
        return None
    if start in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    return None
