"""The job file of results in S3, read on its own: what `bulkload retry s3://...` needs before it starts.

The run that follows downloads the whole ledger under the job's lock; this read only tells it which input
and options to run with.
"""

from __future__ import annotations

import contextlib
from typing import Any

from bulkload.errors import ResultsFileError
from bulkload.ledger.jobfile import missing_job_file, parse_job_file
from bulkload.ledger.paths import JOB_FILE_SUFFIX
from bulkload.storage.client import NOT_FOUND, S3Client, error_code, s3_errors
from bulkload.storage.url import S3Url


def read_remote_job_file(client: S3Client, results: S3Url) -> dict[str, Any]:
    """The job file beside `results`, checked as a local one is; a ResultsFileError if missing or damaged."""
    url = results.sibling(JOB_FILE_SUFFIX)
    try:
        with s3_errors(url, kind=ResultsFileError):
            body = client.get_object(Bucket=url.bucket, Key=url.key)["Body"]
            with contextlib.closing(body):
                raw: bytes = body.read()
    except ResultsFileError as exc:
        if error_code(exc.__cause__) in NOT_FOUND:
            raise missing_job_file(url) from exc
        raise
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsFileError(f"cannot read the job file {url}: {exc}") from exc
    return parse_job_file(text, url)
