"""A digest of Arrow data's values, for the job id of data in memory, which has no file to hash.

Two tables of the same values get the same digest, whatever built them: the digest covers each column's
name, its type and its values, never the bytes behind a null (pandas leaves stale values there), the
schema's metadata (which names the pandas and pyarrow versions), or how the rows are split into chunks
and batches. Types that pandas versions spell differently for the same values count as one: the string
types (`string`, `large_string`, `string_view`), a dictionary and its decoded values (categoricals), and
a timestamp in nanoseconds and the same in microseconds.

Each column is hashed as streams that batches extend: which values are null, the values' bytes, and for
text and binary values their lengths. Fixed-width values are hashed as their bytes (nulls as zeros),
without leaving C; values of any other type (lists, structs, maps) as their text (see `arrow_texts`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkload.source.arrow_text import column_texts

_DIGEST_BYTES = 16  # as the file fingerprint's: 32 hex digits

_STRING_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
_BINARY_TYPES = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_binary_view)


class _ColumnHash:
    """One column's streams: validity, values' bytes, values' lengths, and the type at each change."""

    def __init__(self) -> None:
        self.valid = hashlib.blake2b(digest_size=_DIGEST_BYTES)
        self.values = hashlib.blake2b(digest_size=_DIGEST_BYTES)
        self.sizes = hashlib.blake2b(digest_size=_DIGEST_BYTES)
        self.types: list[tuple[int, str]] = []  # (row, type) where the column's type changes

    def update(self, array: pa.Array[Any], row: int) -> None:
        array, kind = _canonical(array)
        if not self.types or self.types[-1][1] != kind:
            self.types.append((row, kind))
        if len(array) == 0:
            return
        valid = array.is_valid().to_numpy(zero_copy_only=False)
        self.valid.update(valid.data)
        if pa.types.is_null(array.type):
            return
        if pa.types.is_boolean(array.type):
            self.values.update(array.fill_null(pa.scalar(value=False)).to_numpy(zero_copy_only=False).data)
        elif pa.types.is_large_binary(array.type):
            self._update_binary(array.fill_null(pa.scalar(b"", pa.large_binary())))
        elif (width := _byte_width(array)) is not None:
            data = _values(array, 1, np.uint8, width)
            if array.null_count:
                data = data.reshape(-1, width).copy()
                data[~valid] = 0
            self.values.update(data.data)
        else:
            texts, _ = column_texts(array)
            encoded = [b"" if text is None else text.encode() for text in texts]
            sizes = [-1 if text is None else len(data) for text, data in zip(texts, encoded, strict=True)]
            self.sizes.update(np.array(sizes, dtype=np.int64).data)
            self.values.update(b"".join(encoded))

    def _update_binary(self, array: pa.Array[Any]) -> None:
        offsets = _values(array, 1, np.int64, 1, extra=1)
        self.sizes.update(np.diff(offsets).data)
        if array.buffers()[2] is not None:
            self.values.update(_buffer(array, 2)[offsets[0] : offsets[-1]])

    def digest(self) -> bytes:
        """The column's streams and types as one digest."""
        hasher = hashlib.blake2b(json.dumps(self.types).encode(), digest_size=_DIGEST_BYTES)
        for stream in (self.valid, self.values, self.sizes):
            hasher.update(stream.digest())
        return hasher.digest()


class ContentHash:
    """The digest of a stream of record batches that all have the columns `names`, in that order."""

    def __init__(self, names: Sequence[str]) -> None:
        """Start with no rows."""
        self.names = tuple(names)
        self.rows = 0
        self._columns = [_ColumnHash() for _ in self.names]

    def update(self, batch: pa.RecordBatch) -> None:
        """Add the batch's rows."""
        for column, array in zip(self._columns, batch.columns, strict=True):
            column.update(array, self.rows)
        self.rows += batch.num_rows

    def hexdigest(self) -> str:
        """The digest of every row added so far, as 32 hex digits."""
        hasher = hashlib.blake2b(json.dumps([self.names, self.rows]).encode(), digest_size=_DIGEST_BYTES)
        for column in self._columns:
            hasher.update(column.digest())
        return hasher.hexdigest()


def _canonical(array: pa.Array[Any]) -> tuple[pa.Array[Any], str]:
    """The array in the one form its values have whatever built them, and its type's name."""
    if isinstance(array, pa.DictionaryArray):
        array = array.dictionary_decode()
    kind = array.type
    if any(test(kind) for test in _STRING_TYPES):
        return pc.cast(array, pa.large_binary()), "string"
    if any(test(kind) for test in _BINARY_TYPES):
        return pc.cast(array, pa.large_binary()), "binary"
    if isinstance(kind, pa.TimestampType) and kind.unit != "us":
        with contextlib.suppress(pa.ArrowInvalid, OverflowError):  # a safe cast: it keeps every nanosecond
            array = pc.cast(array, pa.timestamp("us", tz=kind.tz))
    return array, str(array.type)


def _buffer(array: pa.Array[Any], index: int) -> memoryview:
    """One of the array's buffers, as bytes."""
    buffer: Any = array.buffers()[index]  # a pyarrow Buffer: it exports the buffer protocol
    return memoryview(buffer)


def _values(
    array: pa.Array[Any], index: int, dtype: type[np.generic], width: int, extra: int = 0
) -> np.ndarray[Any, Any]:
    """The array's `index` buffer as numpy values of `dtype`, `width` per value, from the array's offset."""
    return np.frombuffer(
        _buffer(array, index),
        dtype=dtype,
        count=(len(array) + extra) * width,
        offset=array.offset * width * np.dtype(dtype).itemsize,
    )


def _byte_width(array: pa.Array[Any]) -> int | None:
    """The bytes per value of a fixed-width array whose values are in one buffer; None for another."""
    try:
        bits: int = array.type.bit_width
    except ValueError:  # not a fixed-width type
        return None
    if bits % 8 or len(array.buffers()) != 2:
        return None
    return bits // 8
