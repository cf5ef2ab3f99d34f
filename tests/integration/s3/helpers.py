"""Small S3 helpers for the tests: write, read and list objects with the plain client."""

from __future__ import annotations

from typing import Any

from bulkload.storage import S3Url


def put(client: Any, url: S3Url, body: bytes) -> str:
    """Write an object and return its ETag."""
    return str(client.put_object(Bucket=url.bucket, Key=url.key, Body=body)["ETag"])


def get(client: Any, url: S3Url) -> bytes:
    """Read a whole object."""
    data: bytes = client.get_object(Bucket=url.bucket, Key=url.key)["Body"].read()
    return data


def keys(client: Any, bucket: str) -> list[str]:
    """Every key in a bucket, sorted."""
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))
