"""`s3://` URLs: told apart from paths, split into bucket and key, and refused with one clear line."""

from __future__ import annotations

import pytest

from bulkload.errors import ConfigError
from bulkload.storage.url import S3Url, is_s3_url, parse_s3_url


def test_a_url_splits_into_bucket_and_key_taken_as_written() -> None:
    url = parse_s3_url("s3://my-bucket/exports/2026/tasks 1?.csv")
    assert url == S3Url("my-bucket", "exports/2026/tasks 1?.csv")
    assert str(url) == "s3://my-bucket/exports/2026/tasks 1?.csv"
    assert url.name == "tasks 1?.csv"
    assert url.sibling(".lock") == S3Url("my-bucket", "exports/2026/tasks 1?.csv.lock")


def test_the_scheme_is_matched_in_any_case_and_a_key_may_sit_at_the_top() -> None:
    assert parse_s3_url("S3://bucket/tasks.csv") == S3Url("bucket", "tasks.csv")
    assert parse_s3_url("s3://bucket/tasks.csv").name == "tasks.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s3://b/k", True),
        ("S3://b/k", True),
        ("s3://", True),
        ("tasks.csv", False),
        ("./s3://x", False),
        ("s3:/b/k", False),
        ("https://b.s3.amazonaws.com/k", False),
        (None, False),
    ],
)
def test_is_s3_url_tells_urls_from_paths(text: object, expected: bool) -> None:
    assert is_s3_url(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tasks.csv", "is not an S3 URL"),
        ("s3://", "names no bucket"),
        ("s3:///tasks.csv", "names no bucket"),
        ("s3://bucket", "names no object key"),
        ("s3://bucket/", "names no object key"),
        ("s3://bucket/exports/", "ends in '/': that names a folder"),
        ("s3://b!d/tasks.csv", "is not a valid bucket name"),
        ("s3://ab/tasks.csv", "is not a valid bucket name"),
        ("s3://-bucket/tasks.csv", "is not a valid bucket name"),
        ("s3://bucket/" + "k" * 1025, "longer than S3's limit of 1024 bytes"),
    ],
)
def test_a_url_that_names_no_object_is_a_config_error_of_one_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_s3_url(text)
    assert "\n" not in str(caught.value)
