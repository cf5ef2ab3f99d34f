"""An input in S3 read as the same file on disk is: every format, the header's checks, the errors, and a
job id from the object's version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bulkload.errors import UnreadableFileError
from bulkload.records import SourceRow
from bulkload.source import SourceOptions, csv_scan, open_source
from bulkload.storage import S3Settings, S3Url, object_info
from tests.integration.s3.helpers import put
from tests.unit.source.samples import MAKERS, read


@pytest.fixture
def s3(s3_endpoint: str) -> S3Settings:
    """How the source reaches the moto server."""
    return S3Settings(endpoint_url=s3_endpoint)


def read_s3(url: S3Url | str, s3: S3Settings, **options: Any) -> list[SourceRow]:
    """Every row of the object, read with these `SourceOptions`."""
    with open_source(url, SourceOptions(**options), s3=s3) as source:
        return [row for chunk in source.chunks() for row in chunk]


@pytest.mark.parametrize("name", list(MAKERS))
def test_each_format_reads_as_from_disk_and_takes_its_job_id_from_the_version(
    s3_client: Any, bucket: str, s3: S3Settings, tmp_path: Path, name: str
) -> None:
    local = MAKERS[name](tmp_path / name, 150)
    url = S3Url(bucket, f"exports/2026-11-24/{name}")
    put(s3_client, url, local.read_bytes())
    with open_source(str(url), s3=s3) as source:
        assert source.info.path is None
        assert source.info.name == f"s3://{bucket}/exports/2026-11-24/{name}"
        assert source.info.header == ("Name", "Account")
        assert source.info.format == name.rsplit(".", 1)[1]
        assert source.info.fingerprint == object_info(s3_client, url).fingerprint
        rows = [row for chunk in source.chunks() for row in chunk]
    assert rows == read(local)
    assert len(rows) == 150


def test_the_format_comes_from_the_option_when_the_key_has_no_extension(
    s3_client: Any, bucket: str, s3: S3Settings, tmp_path: Path
) -> None:
    local = MAKERS["in.parquet"](tmp_path / "in.parquet", 20)
    url = S3Url(bucket, "exports/tonight")
    put(s3_client, url, local.read_bytes())
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(url, s3)
    assert str(caught.value).startswith(
        f"{url}: cannot tell the file's format from its name (it has no extension); bulkload reads"
    )
    assert read_s3(url, s3, format="parquet") == read(local)


def test_a_tsv_key_is_read_with_tabs(s3_client: Any, bucket: str, s3: S3Settings) -> None:
    url = S3Url(bucket, "in.tsv")
    put(s3_client, url, b"Name\tAccount\nAda\t007\n")
    assert read_s3(url, s3) == [SourceRow(row=1, line=2, cells={"Name": "Ada", "Account": "007"})]


def test_missing_and_empty_objects_are_refused_by_name(s3_client: Any, bucket: str, s3: S3Settings) -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(S3Url(bucket, "none.csv"), s3)
    assert str(caught.value) == f"s3://{bucket}/none.csv: no such object"
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(S3Url("no-such-bucket-here", "in.csv"), s3)
    assert (
        str(caught.value) == "s3://no-such-bucket-here/in.csv: there is no bucket named no-such-bucket-here"
    )
    put(s3_client, S3Url(bucket, "empty.csv"), b"")
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(S3Url(bucket, "empty.csv"), s3)
    assert str(caught.value) == f"s3://{bucket}/empty.csv: the file is empty"


def test_bad_bytes_are_located_by_line(s3_client: Any, bucket: str, s3: S3Settings) -> None:
    url = S3Url(bucket, "in.csv")
    put(s3_client, url, b"Name,Account\n" + b"n,1\n" * 5000 + b"bad\xff,2\n")
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(url, s3)
    assert str(caught.value).startswith(f"{url}: line 5002: the bytes b'\\xff' are not valid utf-8;")


def test_a_large_csv_is_scanned_in_the_background_from_s3_too(
    s3_client: Any, bucket: str, s3: S3Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_scan, "_SCAN_INLINE", 0)
    local = MAKERS["in.csv"](tmp_path / "in.csv", 3000)
    url = S3Url(bucket, "in.csv")
    put(s3_client, url, local.read_bytes())
    with open_source(url, s3=s3) as source:
        rows = [row for chunk in source.chunks() for row in chunk]
        assert source.total_rows == 3000
    assert rows == read(local)


def test_a_read_that_fails_part_way_stops_the_rows(s3_client: Any, bucket: str, s3: S3Settings) -> None:
    url = S3Url(bucket, "in.csv")
    line = b"n," + b"1" * 1000 + b"\n"
    put(s3_client, url, b"Name,Account\n" + line * 6000)  # more than the one block the header is read from
    rows: list[SourceRow] = []

    def read_all() -> None:
        with open_source(url, s3=s3) as source:
            put(s3_client, url, b"Name,Account\n" + line * 6001)
            for chunk in source.chunks():
                rows.extend(chunk)

    with pytest.raises(UnreadableFileError, match="the object was replaced while it was being read"):
        read_all()
    assert 0 < len(rows) < 6000


def test_a_workbook_in_s3_with_a_formula_without_its_value_is_refused_as_on_disk(
    s3_client: Any, bucket: str, s3: S3Settings, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    for row in (["Name", "Count", "Total"], ["a", 2, "=B2*2"]):
        book.active.append(row)
    local = tmp_path / "in.xlsx"
    book.save(local)
    url = S3Url(bucket, "exports/in.xlsx")
    put(s3_client, url, local.read_bytes())
    with pytest.raises(UnreadableFileError) as caught:
        read_s3(url, s3)
    assert str(caught.value) == (
        f"{url}: sheet 'Sheet', cell C2 (column 'Total'): the formula =B2*2 has no computed value. The "
        "workbook was saved by a program that does not calculate formulas: open and save it in Excel (or "
        "LibreOffice), or export the values"
    )
