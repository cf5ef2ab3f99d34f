"""One run at a time per S3 ledger: a lock object written with S3's conditional writes.

Containers share no kernel, so the `flock` a local run takes cannot keep two of them off one job. Here
the lock is the object `<results>.lock`, holding who took it (host, pid, a random nonce) and when:

    take:      PutObject If-None-Match: *   only one writer can create it
    refresh:   PutObject If-Match: <ETag this run last wrote>, every `refresh_interval` seconds
    take over: PutObject If-Match: <the stale ETag>, only once S3 last wrote it `stale_after` seconds ago
               or more (the holder's own limit, written in the lock, if that is longer), so of two
               runs taking over the same stale lock only one wins
    release:   DeleteObject If-Match: <ETag this run last wrote>

A lock's age is measured on S3's clock (see `holder`). A run that cannot refresh its lock for
`stale_after - refresh_interval` seconds, or finds it taken over, has lost it: `lost` is set, `on_lost`
is called on the event loop, and `check()` raises, so the job stops before another run can take over.

A condition that fails on a retried request is no proof of a rival: botocore may have retried a write
that had landed. Whenever a condition fails, the lock is read back, and one holding this run's nonce is
this run's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self

from bulkload.errors import JobError, ResultsFileError
from bulkload.ledger.paths import LOCK_SUFFIX
from bulkload.storage.client import CONDITION_FAILED, NOT_FOUND, S3Client, error_code, s3_errors
from bulkload.storage.holder import LockOwner, LockState, lock_body, lock_state, utc_now
from bulkload.storage.url import S3Url

DEFAULT_REFRESH: Final = 30.0
STALE_FACTOR: Final = 3  # a lock not refreshed for this many refresh intervals is stale
_TAKE_ATTEMPTS: Final = 3  # conditional writes lost to a rival in a row before giving up


class S3JobLock:
    """The lock of the job whose ledger is `results`: `async with S3JobLock(client, results):`."""

    def __init__(
        self,
        client: S3Client,
        results: S3Url,
        *,
        refresh_interval: float = DEFAULT_REFRESH,
        stale_after: float | None = None,
        owner: LockOwner | None = None,
        wait: float = 0.0,
        on_lost: Callable[[JobError], None] | None = None,
    ) -> None:
        self.stale_after = refresh_interval * STALE_FACTOR if stale_after is None else stale_after
        if refresh_interval <= 0 or self.stale_after < 2 * refresh_interval:
            raise ValueError("refresh_interval must be positive and stale_after at least twice as long")
        self.url = results.sibling(LOCK_SUFFIX)
        self.results = results
        self.refresh_interval = refresh_interval
        self.owner = owner or LockOwner.this_process()
        self.taken_over: LockState | None = None  # the stale lock this run replaced, if it did
        self.lost: JobError | None = None
        self.wait = wait  # how long `acquire` waits for a live holder by default
        self._client = client
        self._on_lost = on_lost
        self._etag: str | None = None
        self._taken = ""
        self._last_ok = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        """Whether this run holds the lock (taken, not released, not lost)."""
        return self._etag is not None and self.lost is None

    def acquire(self, *, wait: float | None = None) -> None:
        """Take the lock, or take over a stale one; raise ResultsFileError naming a live holder.

        Blocking. A live holder is polled for `wait` seconds (default: the lock's own) before giving up.
        """
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        while True:
            holder = self._try_take()
            if holder is None:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ResultsFileError(
                    f"another bulkload ({holder.describe()}) is running the job of {self.results}; wait "
                    "for it to finish (a re-run then continues where it stopped), or, if it died, run "
                    f"again once its lock is {self._limit(holder):.0f} s old"
                )
            time.sleep(min(remaining, self.refresh_interval))

    def refresh(self) -> None:
        """Rewrite the lock with a new time (blocking); raise ResultsFileError if it was lost."""
        if self.lost is not None:
            raise self.lost
        if self._etag is None:
            raise ResultsFileError(f"{self.url}: the lock is not held")
        try:
            etag = self._put(IfMatch=self._etag)
            if etag is None:
                state = self._read()
                if state is None:
                    raise self._lose("its object was deleted")
                if not self._mine(state):
                    raise self._lose(f"another run took it over ({state.describe()})")
                etag = state.etag
        except JobError as exc:
            if (
                self.lost is None
                and time.monotonic() - self._last_ok >= self.stale_after - self.refresh_interval
            ):
                raise self._lose(f"it could not be refreshed ({exc})") from exc
            raise
        self._etag, self._last_ok = etag, time.monotonic()

    def release(self) -> None:
        """Delete the lock if this run still holds it (blocking)."""
        if not self.held:
            return
        try:
            with s3_errors(self.url, kind=ResultsFileError):
                self._client.delete_object(Bucket=self.url.bucket, Key=self.url.key, IfMatch=self._etag)
        except ResultsFileError as exc:
            code = error_code(exc.__cause__)
            if code not in CONDITION_FAILED and code not in NOT_FOUND:
                raise
        self._etag = None

    def check(self) -> None:
        """Raise the error that lost the lock, if it was lost: call before anything only a holder may do."""
        if self.lost is not None:
            raise self.lost

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.acquire)
        self._stop.clear()
        self._task = asyncio.create_task(self._refresh_periodically(), name="s3-lock-refresh")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        await asyncio.to_thread(self.release)

    async def _refresh_periodically(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stop.wait(), self.refresh_interval)
            except TimeoutError:
                pass
            else:
                return
            try:
                await asyncio.to_thread(self.refresh)
            except JobError as exc:
                if self.lost is not None:
                    if self._on_lost is not None:
                        self._on_lost(exc)
                    return
                # Not lost yet: the next interval tries again (`refresh` decides when to give up).

    def _try_take(self) -> LockState | None:
        """Take the lock if it is free, stale or already ours; else return its live holder."""
        state: LockState | None = None
        for _ in range(_TAKE_ATTEMPTS):
            etag = self._put(IfNoneMatch="*", taking=True)
            if etag is None:
                state = self._read()
                if state is None:
                    continue  # released in between: try to create it again
                if self._mine(state):
                    etag = state.etag
                elif state.age < self._limit(state):
                    return state
                else:
                    etag = self._put(IfMatch=state.etag, taking=True)
                    if etag is None:
                        continue  # another run took it over first, or its holder came back
                    self.taken_over = state
            self._etag, self._last_ok, self.lost = etag, time.monotonic(), None
            return None
        if state is None:
            raise ResultsFileError(f"{self.url}: the lock kept changing hands; try again")
        return state

    def _limit(self, state: LockState) -> float:
        """How old the lock must be to be stale: a holder that refreshes more slowly is waited for."""
        return max(self.stale_after, state.stale_after)

    def _mine(self, state: LockState) -> bool:
        return state.owner is not None and state.owner.nonce == self.owner.nonce

    def _put(self, *, taking: bool = False, **condition: str) -> str | None:
        """Write the lock under a condition; its new ETag, or None when the condition failed."""
        now = utc_now()
        if taking:
            self._taken = now
        try:
            with s3_errors(self.url, kind=ResultsFileError):
                response = self._client.put_object(
                    Bucket=self.url.bucket,
                    Key=self.url.key,
                    Body=lock_body(
                        self.owner, taken=self._taken, refreshed=now, stale_after=self.stale_after
                    ),
                    ContentType="application/json",
                    **condition,
                )
        except ResultsFileError as exc:
            code = error_code(exc.__cause__)
            # If-Match on a key that is gone answers 404: that condition failed too.
            if code in CONDITION_FAILED or ("IfMatch" in condition and code in NOT_FOUND):
                return None
            raise
        return str(response["ETag"])

    def _read(self) -> LockState | None:
        """The lock as it is now, or None if there is none."""
        try:
            with s3_errors(self.url, kind=ResultsFileError):
                response = self._client.get_object(Bucket=self.url.bucket, Key=self.url.key)
                raw = response["Body"].read()
        except ResultsFileError as exc:
            if error_code(exc.__cause__) in NOT_FOUND:
                return None
            raise
        return lock_state(response, raw)

    def _lose(self, why: str) -> JobError:
        self.lost = ResultsFileError(
            f"this run lost the lock on the job of {self.results}: {why}; it stops here, so that two runs "
            "never work on one job"
        )
        return self.lost
