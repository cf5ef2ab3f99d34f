"""The S3 client's data loader: the endpoint table cut down to S3's entries resolves as the whole one."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from bulkload.storage.loader import S3DataLoader, s3_entries, use_s3_loader


def client_facts(client: Any) -> tuple[str, str, str]:
    """Where a client sends, for which Region, in which partition."""
    return client.meta.endpoint_url, client.meta.region_name, client.meta.partition


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-2", "cn-north-1", "us-gov-west-1", None])
def test_an_s3_client_resolves_as_with_the_whole_table(region: str | None) -> None:
    whole = botocore.session.Session().create_client("s3", region_name=region)
    session = botocore.session.Session()
    use_s3_loader(session)
    assert isinstance(session.get_component("data_loader"), S3DataLoader)
    cut = session.create_client("s3", region_name=region)
    assert client_facts(cut) == client_facts(whole)


def test_the_table_keeps_every_partition_and_only_s3() -> None:
    table = {
        "version": 3,
        "partitions": [
            {"partition": "aws", "regions": {"us-east-1": {}}, "services": {"s3": {"x": 1}, "connect": {}}},
            {"partition": "aws-iso", "services": {"ec2": {}}},
        ],
    }
    assert s3_entries(table) == {
        "version": 3,
        "partitions": [
            {"partition": "aws", "regions": {"us-east-1": {}}, "services": {"s3": {"x": 1}}},
            {"partition": "aws-iso", "services": {}},
        ],
    }
