"""Read an S3 object as a seekable binary file, in constant memory: range GETs of a few MiB at a time.

`S3Reader` is what the file readers get instead of an open local file: a text wrapper decodes a CSV over
it, pyarrow's ParquetFile and openpyxl's zip reader seek in it. It holds at most `max_blocks` aligned
blocks of `block_size` bytes; a read of a quarter block or more (pyarrow reads column pages in 1 MiB
pieces) is fetched as its own exact range instead, so interleaved columns do not evict each other's
blocks. Every GET is conditional on the ETag seen when the object was opened: an object replaced while it
is read fails the read instead of mixing two versions.

`object_info` gives the size and ETag that fingerprint an S3 input for its job id.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import botocore.exceptions

from bulkload.errors import UnreadableFileError
from bulkload.storage.client import CONDITION_FAILED, NOT_FOUND, S3Client, error_code, s3_errors
from bulkload.storage.url import S3Url

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

BLOCK_SIZE: Final = 4 << 20
MAX_BLOCKS: Final = 2  # two, so alternating between two places (zip directory and member) keeps both
_CHUNK: Final = 256 << 10  # bytes taken from a response body at a time
_PEEK: Final = 1 << 10  # bytes a peek returns at least (if the block has them)
_BODY_ATTEMPTS: Final = 3  # botocore retries a failed request, not a body cut off while it is read
_BODY_ERRORS: Final = (
    botocore.exceptions.ResponseStreamingError,
    botocore.exceptions.IncompleteReadError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
)


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """An S3 object's size and ETag, read once before it is read."""

    url: S3Url
    size: int
    etag: str

    @property
    def fingerprint(self) -> str:
        """A hash of the object's content for the job id: its size and ETag (which S3 derives from it)."""
        return hashlib.blake2b(f"s3\n{self.size}\n{self.etag}".encode(), digest_size=16).hexdigest()


def object_info(client: S3Client, url: S3Url) -> ObjectInfo:
    """The object's size and ETag (HEAD); a missing object or bucket is an UnreadableFileError."""
    try:
        with s3_errors(url, kind=UnreadableFileError):
            head = client.head_object(Bucket=url.bucket, Key=url.key)
    except UnreadableFileError as exc:
        # HEAD answers 404 without a body, for a missing bucket as for a missing key: ask the bucket.
        if error_code(exc.__cause__) in NOT_FOUND:
            with s3_errors(url, kind=UnreadableFileError):
                client.head_bucket(Bucket=url.bucket)
        raise
    return ObjectInfo(url, int(head["ContentLength"]), str(head["ETag"]))


class S3Reader(io.BufferedIOBase):
    """A read-only, seekable binary file over one version of an S3 object (see the module docstring)."""

    def __init__(
        self,
        client: S3Client,
        info: ObjectInfo,
        *,
        block_size: int = BLOCK_SIZE,
        max_blocks: int = MAX_BLOCKS,
    ) -> None:
        super().__init__()
        if block_size < 1 or max_blocks < 1:
            raise ValueError("block_size and max_blocks must be positive")
        self.info = info
        self._client = client
        self._block_size = block_size
        self._max_blocks = max_blocks
        self._direct = max(1, block_size // 4)
        self._blocks: OrderedDict[int, bytearray] = OrderedDict()
        self._pos = 0
        self.requests = 0  # range GETs made so far

    @classmethod
    def open(cls, client: S3Client, url: S3Url, **options: int) -> S3Reader:
        """HEAD the object and return a reader over the version found."""
        return cls(client, object_info(client, url), **options)

    @property
    def name(self) -> str:
        """The object's URL, where a local file would have its path."""
        return str(self.info.url)

    def readable(self) -> bool:
        """Always true."""
        return True

    def seekable(self) -> bool:
        """Always true."""
        return True

    def tell(self) -> int:
        """The current position."""
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        """Move the position, as for a local file; nothing is fetched until a read."""
        self._check_open()
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self.info.size}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence ({whence})")
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to `size` bytes (all that is left when negative or None)."""
        self._check_open()
        left = self.info.size - self._pos
        size = left if size is None or size < 0 else min(size, left)
        if size <= 0:
            return b""
        if size >= self._direct:
            data = bytes(self._get(self._pos, self._pos + size))
            self._pos += len(data)
            return data
        pieces = []
        while size > 0:
            piece = self._from_block(size)
            pieces.append(piece)
            size -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def read1(self, size: int = -1, /) -> bytes:
        """Read up to `size` bytes with at most one request: what is left of the current block."""
        self._check_open()
        if self._pos >= self.info.size or size == 0:
            return b""
        return self._from_block(self._block_size if size < 0 else size)

    def peek(self, size: int = 0, /) -> bytes:
        """Bytes from the position on, without moving: at least one, from the current block only.

        `readline` (and so iterating over lines) peeks for the next line break: without it, it would read
        one byte per call. Short, so that a line costs a copy of little more than itself.
        """
        self._check_open()
        if self._pos >= self.info.size:
            return b""
        index, offset = divmod(self._pos, self._block_size)
        block = self._block(index)
        with memoryview(block) as view:
            return bytes(view[offset : offset + max(size, _PEEK)])

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        """Read into a writable buffer; the number of bytes read."""
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read(len(target))
            target[: len(data)] = data
        return len(data)

    def readinto1(self, buffer: WriteableBuffer, /) -> int:
        """Read into a writable buffer with at most one request."""
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read1(len(target))
            target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Drop the buffered blocks; the client is the caller's and stays open."""
        self._blocks.clear()
        super().close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _from_block(self, size: int) -> bytes:
        index, offset = divmod(self._pos, self._block_size)
        block = self._block(index)
        with memoryview(block) as view:
            piece = bytes(view[offset : offset + size])
        self._pos += len(piece)
        return piece

    def _block(self, index: int) -> bytearray:
        """Block `index`, fetched unless it is held."""
        block = self._blocks.get(index)
        if block is None:
            while len(self._blocks) >= self._max_blocks:  # before the fetch, so memory never holds more
                self._blocks.popitem(last=False)
            start = index * self._block_size
            block = self._get(start, min(start + self._block_size, self.info.size))
            self._blocks[index] = block
        else:
            self._blocks.move_to_end(index)
        return block

    def _get(self, start: int, end: int) -> bytearray:
        """Bytes [start, end) of the object's version that was opened, read into one buffer of that size."""
        url = self.info.url
        for attempt in range(1, _BODY_ATTEMPTS + 1):
            self.requests += 1
            try:
                with s3_errors(url, kind=UnreadableFileError):
                    response = self._client.get_object(
                        Bucket=url.bucket,
                        Key=url.key,
                        Range=f"bytes={start}-{end - 1}",
                        IfMatch=self.info.etag,
                    )
                    with contextlib.closing(response["Body"]) as body:
                        data, filled = _fill(bytearray(end - start), body)
            except UnreadableFileError as exc:
                if error_code(exc.__cause__) in CONDITION_FAILED:
                    raise UnreadableFileError(
                        f"{url}: the object was replaced while it was being read; run again to read the new one"
                    ) from exc
                if isinstance(exc.__cause__, _BODY_ERRORS) and attempt < _BODY_ATTEMPTS:
                    continue
                raise
            if filled == len(data):
                return data
            if attempt == _BODY_ATTEMPTS:
                raise UnreadableFileError(f"{url}: S3 sent {filled} bytes for a range of {len(data)}")
        raise AssertionError("unreachable")  # pragma: no cover


def _fill(buffer: bytearray, body: Any) -> tuple[bytearray, int]:
    """Read a response body into `buffer`; the buffer and how much of it the body filled (-1: too much)."""
    filled = 0
    with memoryview(buffer) as view:
        for chunk in body.iter_chunks(_CHUNK):
            if filled + len(chunk) > len(buffer):
                return buffer, -1
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
    return buffer, filled
