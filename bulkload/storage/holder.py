"""Who holds a job's S3 lock: the lock object's body, and what a read of it tells.

The body is JSON a person can read with `aws s3 cp s3://.../results.csv.lock -`: the holder's host, pid
and nonce, when it took the lock and when it last refreshed it (UTC), and after how long without a
refresh it may be taken over. Its age is not taken from those
times but from S3's own: the object's Last-Modified against the Date of the answer that read it, so
that no decision depends on the clocks of two machines agreeing.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any, Final

BODY_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds a lock: a host, a process on it, and a nonce that tells two lifetimes of a pid apart."""

    host: str
    pid: int
    nonce: str

    @classmethod
    def this_process(cls) -> LockOwner:
        """This process, with a fresh nonce."""
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(8))

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}"


@dataclass(frozen=True, slots=True)
class LockState:
    """The lock object as a read found it."""

    owner: LockOwner | None  # None: the object is not a lock bulkload wrote
    taken: str  # when its holder took it, as the holder wrote it (UTC, ISO 8601)
    etag: str
    age: float  # seconds since S3 last wrote it, by S3's clock
    stale_after: float  # the holder's own staleness limit (0 if the lock does not say)

    def describe(self) -> str:
        """The holder and its times, for messages."""
        owner = str(self.owner) if self.owner else "an unknown process"
        return f"{owner}, since {self.taken or '?'}, last refreshed {self.age:.0f} s ago"


def utc_now() -> str:
    """The time now, as the lock body records it."""
    # Milliseconds: two refreshes within a second still write different bytes, hence different ETags.
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lock_body(owner: LockOwner, *, taken: str, refreshed: str, stale_after: float) -> bytes:
    """The bytes of the lock object."""
    body = {
        "version": BODY_VERSION,
        "host": owner.host,
        "pid": owner.pid,
        "nonce": owner.nonce,
        "taken": taken,
        "refreshed": refreshed,
        "stale_after": stale_after,
    }
    return json.dumps(body, indent=1).encode()


def lock_state(response: dict[str, Any], raw: bytes) -> LockState:
    """What a GetObject answer for the lock (and the body it carried) says about its holder."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    host, pid, nonce = body.get("host"), body.get("pid"), body.get("nonce")
    owner = None
    if isinstance(host, str) and isinstance(pid, int) and isinstance(nonce, str):
        owner = LockOwner(host, pid, nonce)
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    now = email.utils.parsedate_to_datetime(date) if date else dt.datetime.now(dt.UTC)
    age = (now - response["LastModified"]).total_seconds()
    limit = body.get("stale_after")
    limit = float(limit) if isinstance(limit, int | float) and math.isfinite(limit) else 0.0
    return LockState(owner, str(body.get("taken", "")), str(response["ETag"]), age, limit)
