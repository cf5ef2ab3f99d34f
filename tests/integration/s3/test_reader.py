"""Reading S3 objects as seekable files: CSV through a text wrapper, Parquet through pyarrow, Excel through
openpyxl, each the same as from disk, in range GETs of a bounded size."""

from __future__ import annotations

import csv
import io
import math
import os
import random
from pathlib import Path
from typing import Any, BinaryIO, cast

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkload.errors import UnreadableFileError
from bulkload.storage import S3Reader, S3Url, object_info
from tests.integration.s3.helpers import put


def write_csv(path: Path, rows: int) -> bytes:
    """A CSV of several MiB with quoted newlines and multi-byte characters (which straddle blocks)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "Description", "Amount"])
        for i in range(rows):
            writer.writerow([f"Call Zoë {i}", f"line one ✓\nline two, row {i}", f"{i * 1.5:.2f}"])
    return path.read_bytes()


@pytest.fixture
def csv_object(s3_client: Any, bucket: str, tmp_path: Path) -> tuple[S3Url, Path]:
    local = tmp_path / "tasks.csv"
    data = write_csv(local, 120_000)
    assert len(data) > 5 << 20
    url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, url, data)
    return url, local


def test_a_multi_mib_csv_reads_as_from_disk(s3_client: Any, csv_object: tuple[S3Url, Path]) -> None:
    url, local = csv_object
    with S3Reader.open(s3_client, url) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        from_s3 = list(csv.reader(text))
        requests = raw.requests
    with local.open(encoding="utf-8", newline="") as f:
        from_disk = list(csv.reader(f))
    assert from_s3 == from_disk
    assert len(from_s3) == 120_001
    # Sequential reading fetches each block once: memory holds blocks, never the object.
    assert requests == math.ceil(local.stat().st_size / (4 << 20))


def test_seek_and_read_agree_with_a_local_file_across_block_boundaries(
    s3_client: Any, csv_object: tuple[S3Url, Path]
) -> None:
    url, local = csv_object
    data = local.read_bytes()
    rng = random.Random(7)
    with S3Reader.open(s3_client, url, block_size=64 << 10, max_blocks=2) as reader, local.open("rb") as f:
        assert reader.seekable()
        assert reader.readable()
        assert not reader.writable()
        assert reader.name == str(url)
        for _ in range(300):
            offset = rng.randrange(-len(data) // 10, len(data) + 1000)
            whence = rng.choice([os.SEEK_SET, os.SEEK_END, os.SEEK_CUR])
            size = rng.choice([0, 1, 100, 20_000, 65_536, 200_000, -1])
            target = {os.SEEK_SET: 0, os.SEEK_CUR: f.tell(), os.SEEK_END: len(data)}[whence] + offset
            if target < 0:
                with pytest.raises(ValueError, match="negative seek position"):
                    reader.seek(offset, whence)
                continue
            assert reader.seek(offset, whence) == f.seek(offset, whence)
            assert reader.read(size) == f.read(size)
            assert reader.tell() == f.tell()
            chunk = reader.read1(1000)
            assert chunk == f.read(len(chunk))
            assert (len(chunk) > 0) == (f.tell() < len(data))
        buffer = bytearray(5000)
        reader.seek(len(data) - 3000)
        assert reader.readinto(buffer) == 3000
        assert bytes(buffer[:3000]) == data[-3000:]
    with pytest.raises(ValueError, match="closed file"):
        reader.read(1)


def test_a_parquet_object_reads_through_pyarrow(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    table = pa.table(
        {
            "Name": [f"Call {i}" for i in range(200_000)],
            "Phone": [f"+4420{i:08d}" for i in range(200_000)],
            "Amount": [i * 0.25 for i in range(200_000)],
        }
    )
    local = tmp_path / "tasks.parquet"
    pq.write_table(table, local, row_group_size=50_000)
    url = S3Url(bucket, "exports/tasks.parquet")
    put(s3_client, url, local.read_bytes())
    with S3Reader.open(s3_client, url) as reader:
        # The stubs want typing.IO; a BufferedIOBase is what pyarrow actually needs.
        parquet = pq.ParquetFile(cast("BinaryIO", reader), pre_buffer=False, buffer_size=1 << 20)
        assert parquet.metadata.num_rows == 200_000
        batches = list(parquet.iter_batches(batch_size=10_000, use_threads=False))
        parquet.close()
    assert pa.Table.from_batches(batches).equals(table)


def test_an_xlsx_object_reads_through_openpyxl_read_only(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Tasks")
    rows = [["Name", "Phone", "Amount"]] + [[f"Call {i}", f"+4420{i:08d}", i] for i in range(20_000)]
    for row in rows:
        sheet.append(row)
    local = tmp_path / "tasks.xlsx"
    workbook.save(local)
    url = S3Url(bucket, "exports/tasks.xlsx")
    put(s3_client, url, local.read_bytes())
    with S3Reader.open(s3_client, url, block_size=64 << 10) as reader:
        book = openpyxl.load_workbook(reader, read_only=True, data_only=True, keep_links=False)
        read = [list(row) for row in book["Tasks"].iter_rows(values_only=True)]
        book.close()
    assert read == rows


def test_the_fingerprint_follows_the_content(s3_client: Any, bucket: str) -> None:
    url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, url, b"Name\nAda\n")
    first = object_info(s3_client, url)
    assert first.size == 9
    assert object_info(s3_client, url).fingerprint == first.fingerprint
    put(s3_client, S3Url(bucket, "copy/tasks.csv"), b"Name\nAda\n")
    assert object_info(s3_client, S3Url(bucket, "copy/tasks.csv")).fingerprint == first.fingerprint
    put(s3_client, url, b"Name\nBob\n")
    assert object_info(s3_client, url).fingerprint != first.fingerprint


def test_an_object_replaced_while_it_is_read_fails_the_read(s3_client: Any, bucket: str) -> None:
    url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, url, b"x" * 300_000)
    with S3Reader.open(s3_client, url, block_size=100_000) as reader:
        assert reader.read(10) == b"xxxxxxxxxx"
        put(s3_client, url, b"y" * 300_000)
        reader.seek(150_000)
        with pytest.raises(UnreadableFileError) as caught:
            reader.read(10)
    assert (
        str(caught.value)
        == f"{url}: the object was replaced while it was being read; run again to read the new one"
    )


def test_a_missing_object_cannot_be_opened(s3_client: Any, bucket: str) -> None:
    with pytest.raises(UnreadableFileError, match=r": no such object$"):
        S3Reader.open(s3_client, S3Url(bucket, "exports/none.csv"))


def test_lines_are_read_in_pieces_not_bytes(s3_client: Any, csv_object: tuple[S3Url, Path]) -> None:
    url, local = csv_object
    with S3Reader.open(s3_client, url, block_size=64 << 10) as reader, local.open("rb") as f:
        assert reader.peek() == f.read(1024)
        assert reader.tell() == 0
        assert list(reader) == local.read_bytes().splitlines(keepends=True)
        assert reader.peek() == b""
