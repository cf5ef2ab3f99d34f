"""A ledger's local files as they were at one moment, to upload while the job goes on writing them.

Taking a snapshot opens every file of the ledger and notes its length: cheap enough for the event loop,
and consistent if no write is half done at that moment. Uploading it later sends each file's first
that-many bytes from the file that was opened, so appends made since are left for the next snapshot and
a file renamed over one of them does not change what is sent.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeAlias

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import LOCK_SUFFIX, TEMPORARY_SUFFIX

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Identity: TypeAlias = tuple[int, int, int]  # inode, size, mtime: equal means the same content

_ATTEMPTS: Final = 5  # a file renamed away between listing and opening: list again


def belongs_to_ledger(results_name: str, name: str) -> bool:
    """Whether the file `name` is part of the ledger of `results_name`: the file itself or a sidecar.

    The lock is not (each place has its own), nor is a temporary file (a write before its rename).
    """
    if not name.startswith(results_name):
        return False
    rest = name[len(results_name) :]
    return rest == "" or (
        rest.startswith(".")
        and "/" not in rest
        and rest != LOCK_SUFFIX
        and not rest.endswith(TEMPORARY_SUFFIX)
    )


def identity(stat: os.stat_result) -> Identity:
    """What tells whether a file changed since it was last sent."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class FrozenFile:
    """One opened file and its length when the snapshot was taken."""

    fd: int
    size: int
    identity: Identity

    def body(self) -> io.RawIOBase:
        """The file's first `size` bytes, as a seekable file to upload (and re-send on a retry)."""
        return _Prefix(self.fd, self.size)


class Snapshot:
    """The ledger's files as they were at one moment (see the module docstring)."""

    def __init__(self, sequence: int, results_name: str, files: dict[str, FrozenFile]) -> None:
        self.sequence = sequence
        self.results_name = results_name
        self.files = files

    @property
    def names(self) -> list[str]:
        """The files, sidecars first and the results file last (the order they are uploaded in)."""
        return sorted(self.files, key=lambda name: (name == self.results_name, name))

    def close(self) -> None:
        """Close the files."""
        for frozen in self.files.values():
            with contextlib.suppress(OSError):
                os.close(frozen.fd)
        self.files = {}


def take_snapshot(workdir: Path, results_name: str, sequence: int) -> Snapshot:
    """Open every ledger file in `workdir` and note its length; call it when no write is half done."""
    for _ in range(_ATTEMPTS):
        files: dict[str, FrozenFile] = {}
        try:
            for name in _ledger_files(workdir, results_name):
                fd = os.open(workdir / name, os.O_RDONLY)
                stat = os.fstat(fd)
                files[name] = FrozenFile(fd, stat.st_size, identity(stat))
        except FileNotFoundError:  # renamed away since it was listed
            Snapshot(0, results_name, files).close()
            continue
        except OSError as exc:
            Snapshot(0, results_name, files).close()
            raise ResultsFileError(f"cannot read the ledger in {workdir}: {exc}") from exc
        return Snapshot(sequence, results_name, files)
    raise ResultsFileError(f"{workdir}: the ledger's files kept changing while they were listed")


def _ledger_files(workdir: Path, results_name: str) -> Iterator[str]:
    for entry in os.scandir(workdir):
        if belongs_to_ledger(results_name, entry.name) and entry.is_file():
            yield entry.name


class _Prefix(io.RawIOBase):
    """The first `size` bytes of an open file, read with pread so that its offset is its own."""

    def __init__(self, fd: int, size: int) -> None:
        super().__init__()
        self._fd, self._size, self._pos = fd, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        with memoryview(buffer) as view, view.cast("B") as target:
            data = os.pread(self._fd, max(0, min(len(target), self._size - self._pos)), self._pos)
            target[: len(data)] = data
        self._pos += len(data)
        return len(data)
