"""A real S3 API on loopback (moto in server mode) and bulkload's own S3 client for it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from bulkload.storage import S3Settings, S3Url, make_s3_client


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server on 127.0.0.1, started once for the session on a free port."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_endpoint: str) -> Any:
    """bulkload's S3 client pointed at the moto server, with the suite's dummy credentials."""
    return make_s3_client(S3Settings(endpoint_url=s3_endpoint))


@pytest.fixture
def bucket(s3_client: Any) -> str:
    """A new, empty bucket for this test alone (the server lives for the whole session)."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def results_url(bucket: str) -> S3Url:
    """Where a test's ledger lives in S3."""
    return S3Url(bucket, "jobs/nightly/tasks.results.csv")
