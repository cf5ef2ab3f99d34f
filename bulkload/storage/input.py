"""An S3 object as the input file the readers read: checked with a HEAD, streamed with range GETs.

Every stream over it reads the version the HEAD found (see `S3Reader`), and the job id derives from that
version's size and ETag. A stream read in order (a CSV file, in each of its two passes) holds one block
of 1 MiB, as a local file's buffer does; one that seeks (Parquet's footer and column pages, a workbook's
zip directory) holds two of 4 MiB.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final, cast

from bulkload.storage.client import S3Client
from bulkload.storage.reader import ObjectInfo, S3Reader, object_info
from bulkload.storage.url import S3Url

SEQUENTIAL_BLOCK: Final = 1 << 20  # bytes per range GET when reading in order


class S3File:
    """The object at `url`, read with `client`: an `InputFile` for `source.open_source`."""

    def __init__(self, url: S3Url, client: S3Client) -> None:
        self.url = url
        self._client = client
        self._info: ObjectInfo | None = None

    @property
    def name(self) -> str:
        """The object's URL."""
        return str(self.url)

    @property
    def path(self) -> Path | None:
        """None: the object is not on disk."""
        return None

    @property
    def suffix(self) -> str:
        """The extension of the key's last segment."""
        return PurePosixPath(self.url.name).suffix

    def check(self) -> int:
        """HEAD the object: its size; a missing object or bucket is an UnreadableFileError."""
        return self.info.size

    @property
    def info(self) -> ObjectInfo:
        """The version that is read: its size and ETag, from one HEAD made on first use."""
        if self._info is None:
            self._info = object_info(self._client, self.url)
        return self._info

    def fingerprint(self) -> str:
        """The hash of the version's size and ETag."""
        return self.info.fingerprint

    def open(self, *, sequential: bool = False) -> BinaryIO:
        """A reader over the version; one read in order holds a single small block."""
        if sequential:
            reader = S3Reader(self._client, self.info, block_size=SEQUENTIAL_BLOCK, max_blocks=1)
        else:
            reader = S3Reader(self._client, self.info)
        return cast(BinaryIO, reader)
