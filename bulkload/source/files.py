"""The input as a file: its format from its extension, the checks before opening it, its fingerprint.

The readers take an `InputFile`, not a path: whatever can open a binary stream over the file's bytes. A
`LocalFile` opens a file on disk; `storage.input.S3File` streams an object from S3.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from bulkload.errors import UnreadableFileError
from bulkload.source.options import Format

BLOCK = 1 << 20  # bytes per read of the input file
_SAMPLE = 4 << 20  # the fingerprint hashes the size, the first and the last this many bytes

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


class InputFile(Protocol):
    """Where an input file's bytes come from: a local file, or an object in S3."""

    @property
    def name(self) -> str:
        """How messages name the file: its path or its URL."""

    @property
    def path(self) -> Path | None:
        """The file on disk, if it is one."""

    @property
    def suffix(self) -> str:
        """The extension of the file's name, as written (`.csv`; "" without one)."""

    def check(self) -> int:
        """Check that the file can be read, before it is opened; its size in bytes."""

    def fingerprint(self) -> str:
        """A hash of the content for the job id (see `fingerprint` for a local file's)."""

    def open(self, *, sequential: bool = False) -> BinaryIO:
        """A new binary stream over the file from its start; `sequential`: read in order, never seeking back."""


@dataclass(frozen=True)
class LocalFile:
    """An input file on disk."""

    path: Path

    @property
    def name(self) -> str:
        """The path, as given."""
        return str(self.path)

    @property
    def suffix(self) -> str:
        """The path's extension."""
        return self.path.suffix

    def check(self) -> int:
        """See `check_readable`."""
        return check_readable(self.path)

    def fingerprint(self) -> str:
        """See `fingerprint`."""
        return fingerprint(self.path)

    def open(self, *, sequential: bool = False) -> BinaryIO:
        """The file opened for reading in blocks of `BLOCK` bytes."""
        try:
            return self.path.open("rb", buffering=BLOCK)
        except OSError as exc:
            raise read_error(self.name, exc) from exc


def format_of(file: InputFile, wanted: Format) -> str:
    """The format to read `file` as: `wanted`, or for "auto" the one its extension names."""
    if wanted != "auto":
        return wanted
    suffix = file.suffix
    fmt = _EXTENSIONS.get(suffix.lower())
    if fmt is None:
        what = f"its extension {suffix!r}" if suffix else "its name (it has no extension)"
        raise UnreadableFileError(
            f"{file.name}: cannot tell the file's format from {what}; bulkload reads {_KNOWN_FORMATS}"
        )
    return fmt


def read_error(name: Path | str, exc: OSError) -> UnreadableFileError:
    """The one-line error for a read of the input that the OS refused."""
    return UnreadableFileError(f"{name}: cannot read the file: {exc.strerror or exc}")


def check_readable(path: Path) -> int:
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
        raise read_error(path, exc) from exc


def fingerprint(path: Path) -> str:
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
        raise read_error(path, exc) from exc
    return hasher.hexdigest()
