"""A job's S3 client, made once on first use and shared by the threads that read the input and the ledger.

A job that never touches S3 makes no client (creating one loads botocore's S3 model).
"""

from __future__ import annotations

import threading
from pathlib import Path

from bulkload.storage.client import S3Client, S3Settings, make_s3_client
from bulkload.storage.input import S3File
from bulkload.storage.options import Location
from bulkload.storage.url import S3Url


class S3Access:
    """The S3 client for `settings`, made when first asked for."""

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self._client: S3Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> S3Client:
        """The client (blocking the first time: a ConfigError or ServiceAccessError if it cannot be made)."""
        with self._lock:
            if self._client is None:
                self._client = make_s3_client(self.settings)
            return self._client

    def input_file(self, location: Location) -> Path | S3File:
        """What `source.open_source` opens for the input: the path, or the object read with this client."""
        if isinstance(location, S3Url):
            return S3File(location, self.client)
        return location
