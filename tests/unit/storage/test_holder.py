"""The lock object's body: written for people to read, read back into who holds it and for how long."""

from __future__ import annotations

import datetime as dt
import json

from bulkload.storage.holder import LockOwner, lock_body, lock_state

OWNER = LockOwner("ada-host", 101, "aaaa")
MODIFIED = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


def answer(date: str | None) -> dict[str, object]:
    headers = {"date": date} if date else {}
    return {"ETag": '"e1"', "LastModified": MODIFIED, "ResponseMetadata": {"HTTPHeaders": headers}}


def test_a_body_reads_back_with_its_age_on_s3s_clock() -> None:
    raw = lock_body(
        OWNER, taken="2026-11-30T11:00:00.000Z", refreshed="2026-11-30T12:00:00.000Z", stale_after=90
    )
    assert json.loads(raw)["host"] == "ada-host"
    state = lock_state(answer("Mon, 30 Nov 2026 12:00:42 GMT"), raw)
    assert state.owner == OWNER
    assert state.etag == '"e1"'
    assert state.age == 42.0
    assert state.stale_after == 90.0
    assert state.describe() == "pid 101 on ada-host, since 2026-11-30T11:00:00.000Z, last refreshed 42 s ago"


def test_a_body_bulkload_did_not_write_has_no_owner() -> None:
    for raw in (b"not json", b"[1, 2]", b'{"host": "h", "pid": "1", "nonce": "n", "stale_after": "x"}'):
        state = lock_state(answer("Mon, 30 Nov 2026 12:00:05 GMT"), raw)
        assert state.owner is None
        assert state.stale_after == 0.0
        assert state.describe() == "an unknown process, since ?, last refreshed 5 s ago"


def test_the_owner_of_this_process_has_a_fresh_nonce() -> None:
    first, second = LockOwner.this_process(), LockOwner.this_process()
    assert (first.host, first.pid) == (second.host, second.pid)
    assert first.nonce != second.nonce
    assert str(first) == f"pid {first.pid} on {first.host}"
