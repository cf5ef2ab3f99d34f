"""Job ids, request hashes and the stable ClientToken that makes every row idempotent.

ClientToken = hash(job id, row key, request hash). So retries of a row send the same token, re-running an
unchanged row sends the same token, two rows (two keys) never share one, and an edited row gets a new one.
Tokens never depend on time, randomness or the attempt: that is what botocore's own uuid4 gets wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

TOKEN_PREFIX = "bl1-"  # noqa: S105 (not a secret) versioned, so a future change of scheme can never collide with today's tokens


def derive_job_id(fingerprint: str) -> str:
    """The job id of an input that has no results file yet: derived from the file's content."""
    return "job-" + fingerprint[:16]


def request_hash(params: Mapping[str, Any]) -> str:
    """A digest of the request as it would be sent, ClientToken excluded; equal payloads hash equal."""
    body = {k: v for k, v in params.items() if k != "ClientToken"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=12).hexdigest()


def client_token(job_id: str, key: str, req_hash: str) -> str:
    """The ClientToken of a row: stable across retries and re-runs, new when the row's request changes."""
    # JSON framing keeps ("a", "b|c") and ("a|b", "c") apart.
    material = json.dumps([job_id, key, req_hash], ensure_ascii=False).encode("utf-8")
    return TOKEN_PREFIX + hashlib.blake2b(material, digest_size=16).hexdigest()
