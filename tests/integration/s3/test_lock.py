"""The job's lock in S3: taken with If-None-Match, refreshed and released with If-Match on its own ETag,
refused to a second run while fresh (naming the holder), taken over only once stale."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from bulkload.errors import JobError, ResultsFileError
from bulkload.storage import LockOwner, S3JobLock, S3Url
from tests.integration.s3.helpers import get, keys, put

ADA = LockOwner("ada-host", 101, "aaaa")
BOB = LockOwner("bob-host", 202, "bbbb")


def lock_body(client: Any, results: S3Url) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(get(client, results.sibling(".lock")))
    return body


def test_the_lock_is_taken_and_refused_to_a_second_run_naming_the_holder(
    s3_client: Any, results_url: S3Url
) -> None:
    first = S3JobLock(s3_client, results_url, owner=ADA)
    first.acquire()
    assert first.held
    body = lock_body(s3_client, results_url)
    assert (body["host"], body["pid"], body["nonce"]) == ("ada-host", 101, "aaaa")
    assert body["taken"] == body["refreshed"]
    assert body["taken"].endswith("Z")
    assert body["stale_after"] == 90.0

    second = S3JobLock(s3_client, results_url, owner=BOB)
    with pytest.raises(ResultsFileError) as caught:
        second.acquire()
    message = str(caught.value)
    assert message.startswith("another bulkload (pid 101 on ada-host, since ")
    assert f"is running the job of {results_url}; wait for it to finish" in message
    assert "once its lock is 90 s old" in message
    assert "\n" not in message
    assert not second.held
    assert lock_body(s3_client, results_url)["nonce"] == "aaaa"


def test_refreshing_rewrites_the_lock_under_its_own_etag(s3_client: Any, results_url: S3Url) -> None:
    lock = S3JobLock(s3_client, results_url, owner=ADA)
    lock.acquire()
    before = lock_body(s3_client, results_url)
    time.sleep(0.01)
    lock.refresh()
    after = lock_body(s3_client, results_url)
    assert after["taken"] == before["taken"]
    assert after["refreshed"] > before["refreshed"]
    lock.refresh()
    lock.check()


def test_release_deletes_the_lock_and_a_new_run_can_take_it(s3_client: Any, results_url: S3Url) -> None:
    lock = S3JobLock(s3_client, results_url, owner=ADA)
    lock.acquire()
    lock.release()
    assert not lock.held
    assert keys(s3_client, results_url.bucket) == []
    lock.release()  # a second release does nothing
    S3JobLock(s3_client, results_url, owner=BOB).acquire()


def test_a_run_finding_its_own_lock_keeps_it(s3_client: Any, results_url: S3Url) -> None:
    # What a retried PutObject whose first attempt landed looks like: the condition fails on our own lock.
    S3JobLock(s3_client, results_url, owner=ADA).acquire()
    again = S3JobLock(s3_client, results_url, owner=ADA)
    again.acquire()
    assert again.held
    assert again.taken_over is None
    again.refresh()


@pytest.mark.slow
def test_a_stale_lock_is_taken_over_and_its_holder_learns_it_lost(s3_client: Any, results_url: S3Url) -> None:
    dead = S3JobLock(s3_client, results_url, owner=ADA, refresh_interval=1.0, stale_after=2.0)
    dead.acquire()
    taker = S3JobLock(s3_client, results_url, owner=BOB, refresh_interval=1.0, stale_after=2.0)
    with pytest.raises(ResultsFileError, match="pid 101 on ada-host"):
        taker.acquire()
    time.sleep(3.2)  # S3 times the lock's age in whole seconds
    taker.acquire()
    assert taker.taken_over is not None
    assert taker.taken_over.owner == ADA
    assert taker.taken_over.age >= 2.0
    assert lock_body(s3_client, results_url)["nonce"] == "bbbb"

    with pytest.raises(ResultsFileError, match="lost the lock") as caught:
        dead.refresh()
    assert "another run took it over (pid 202 on bob-host" in str(caught.value)
    assert dead.lost is caught.value
    with pytest.raises(ResultsFileError, match="lost the lock"):
        dead.check()
    dead.release()  # the lock is no longer its own to delete
    assert lock_body(s3_client, results_url)["nonce"] == "bbbb"


def test_a_lock_is_stale_only_by_the_longer_of_the_two_limits(s3_client: Any, results_url: S3Url) -> None:
    S3JobLock(s3_client, results_url, owner=ADA, refresh_interval=10.0).acquire()
    impatient = S3JobLock(s3_client, results_url, owner=BOB, refresh_interval=0.1, stale_after=0.2)
    time.sleep(1.2)
    with pytest.raises(ResultsFileError, match="once its lock is 30 s old"):
        impatient.acquire()


@pytest.mark.slow
def test_of_two_runs_taking_over_one_stale_lock_only_one_wins(
    s3_client: Any, results_url: S3Url, monkeypatch: pytest.MonkeyPatch
) -> None:
    S3JobLock(s3_client, results_url, owner=ADA, refresh_interval=1.0, stale_after=2.0).acquire()
    time.sleep(3.2)
    late = S3JobLock(s3_client, results_url, owner=BOB, refresh_interval=1.0, stale_after=2.0)
    stale = late._read()
    assert stale is not None
    assert stale.age >= 2.0
    winner = S3JobLock(s3_client, results_url, owner=LockOwner("cy-host", 303, "cccc"), refresh_interval=1.0)
    winner.acquire()
    # The late run read the lock before the winner wrote it: its If-Match on the stale ETag must fail.
    monkeypatch.setattr(late, "_read", lambda: stale)
    with pytest.raises(ResultsFileError, match="another bulkload"):
        late.acquire()
    assert not late.held
    assert lock_body(s3_client, results_url)["nonce"] == "cccc"


def test_a_waiting_run_takes_the_lock_when_the_holder_releases_it(s3_client: Any, results_url: S3Url) -> None:
    holder = S3JobLock(s3_client, results_url, owner=ADA)
    holder.acquire()
    waiter = S3JobLock(s3_client, results_url, owner=BOB, refresh_interval=0.2, stale_after=60.0, wait=10.0)
    releaser = threading.Timer(0.5, holder.release)
    releaser.start()
    try:
        waiter.acquire()
    finally:
        releaser.join()
    assert waiter.held
    assert waiter.taken_over is None


async def test_while_held_the_lock_is_refreshed_and_released_at_the_end(
    s3_client: Any, results_url: S3Url
) -> None:
    async with S3JobLock(s3_client, results_url, owner=ADA, refresh_interval=0.2, stale_after=1.0) as lock:
        first = lock_body(s3_client, results_url)["refreshed"]
        for _ in range(200):
            await asyncio.sleep(0.05)
            if lock_body(s3_client, results_url)["refreshed"] > first:
                break
        assert lock_body(s3_client, results_url)["refreshed"] > first
        assert lock.held
    assert keys(s3_client, results_url.bucket) == []


async def test_a_held_lock_overwritten_by_another_run_is_reported_lost(
    s3_client: Any, results_url: S3Url
) -> None:
    lost: list[JobError] = []
    lock = S3JobLock(
        s3_client, results_url, owner=ADA, refresh_interval=0.2, stale_after=1.0, on_lost=lost.append
    )
    async with lock:
        intruder = {
            "version": 1,
            "host": "bob-host",
            "pid": 202,
            "nonce": "bbbb",
            "taken": "t",
            "refreshed": "t",
        }
        put(s3_client, results_url.sibling(".lock"), json.dumps(intruder).encode())
        for _ in range(200):
            if lost:
                break
            await asyncio.sleep(0.05)
        assert len(lost) == 1
        assert lost[0] is lock.lost
        assert "another run took it over (pid 202 on bob-host, since t" in str(lost[0])
        assert not lock.held
    assert lock_body(s3_client, results_url)["nonce"] == "bbbb"  # not released: it is not ours


def test_intervals_are_checked() -> None:
    results = S3Url("bucket", "r.csv")
    with pytest.raises(ValueError, match="at least twice"):
        S3JobLock(None, results, refresh_interval=10, stale_after=15)
    with pytest.raises(ValueError, match="positive"):
        S3JobLock(None, results, refresh_interval=0)
    assert S3JobLock(None, results, refresh_interval=10).stale_after == 30
