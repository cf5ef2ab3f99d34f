"""bulkload's S3 client against a real S3 API: where its endpoint comes from, and how it fails."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bulkload.errors import ServiceAccessError, UnreadableFileError
from bulkload.storage import S3Settings, S3Url, make_s3_client, object_info
from tests.integration.s3.helpers import put


def test_without_an_endpoint_botocore_takes_aws_endpoint_url_s3(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    client = make_s3_client()
    assert client.meta.endpoint_url == s3_endpoint
    assert client.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_an_explicit_endpoint_wins_over_the_environment(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    client = make_s3_client(S3Settings(endpoint_url=s3_endpoint))
    assert client.meta.endpoint_url == s3_endpoint
    client.head_bucket(Bucket=bucket)


def test_a_missing_key_or_bucket_is_one_line_naming_the_object(s3_client: Any, bucket: str) -> None:
    with pytest.raises(UnreadableFileError) as missing_key:
        object_info(s3_client, S3Url(bucket, "exports/none.csv"))
    assert str(missing_key.value) == f"s3://{bucket}/exports/none.csv: no such object"
    with pytest.raises(UnreadableFileError) as missing_bucket:
        object_info(s3_client, S3Url("no-such-bucket-here", "tasks.csv"))
    assert (
        str(missing_bucket.value)
        == "s3://no-such-bucket-here/tasks.csv: there is no bucket named no-such-bucket-here"
    )


def test_an_unreachable_endpoint_is_a_service_access_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_s3_client(S3Settings(endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1))
    with pytest.raises(ServiceAccessError) as caught:
        object_info(client, S3Url("bucket", "tasks.csv"))
    assert str(caught.value) == (
        f's3://bucket/tasks.csv: cannot reach S3: Could not connect to the endpoint URL: "http://127.0.0.1:{port}/bucket/tasks.csv"'
    )


def test_no_credentials_is_a_service_access_error(
    s3_endpoint: str, s3_client: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(s3_client, S3Url(bucket, "tasks.csv"), b"Name\nAda\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to find, and no wait for one
    client = make_s3_client(S3Settings(endpoint_url=s3_endpoint))
    with pytest.raises(ServiceAccessError, match=r"^s3://\S+/tasks.csv: no AWS credentials found: "):
        object_info(client, S3Url(bucket, "tasks.csv"))
