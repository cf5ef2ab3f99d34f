"""Inputs and ledgers in S3: `s3://` URLs, the client, a streaming reader, ledger checkpoints, the job lock.

A job on a machine whose disk does not outlive it reads its input from S3 and keeps its ledger there: the
ledger is worked on in a local directory and uploaded as a checkpoint while the job runs, and a lock
object keeps two runs off one job.
"""

from __future__ import annotations

from bulkload.storage.checkpoint import DEFAULT_INTERVAL, LedgerCheckpoint
from bulkload.storage.client import S3Client, S3Settings, make_s3_client, s3_error, s3_errors
from bulkload.storage.holder import LockOwner, LockState
from bulkload.storage.lock import S3JobLock
from bulkload.storage.reader import ObjectInfo, S3Reader, object_info
from bulkload.storage.snapshot import Snapshot, belongs_to_ledger
from bulkload.storage.url import S3Url, is_s3_url, parse_s3_url

__all__ = [
    "DEFAULT_INTERVAL",
    "LedgerCheckpoint",
    "LockOwner",
    "LockState",
    "ObjectInfo",
    "S3Client",
    "S3JobLock",
    "S3Reader",
    "S3Settings",
    "S3Url",
    "Snapshot",
    "belongs_to_ledger",
    "is_s3_url",
    "make_s3_client",
    "object_info",
    "parse_s3_url",
    "s3_error",
    "s3_errors",
]
