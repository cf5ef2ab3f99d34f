"""Keep a job's ledger in S3: worked on in a local directory, uploaded as a checkpoint every few seconds.

The ledger is the results file `<name>` and its sidecars `<name>.*` (the job file, `.prev`, `.pending`),
all but the lock and temporary files (`*.tmp`, written and renamed in one step). At start `download`
makes the working directory a copy of what S3 holds; during the run `LedgerCheckpoint` uploads the files
every `interval` seconds and once at the end, each as one whole-object PUT.

A checkpoint must be a state the ledger can resume from. The contract:

- `snapshot()` opens every ledger file and notes its length, at a moment when no ledger write is half
  done; the upload then sends each file's first that-many bytes from the file it opened, whatever is
  renamed over it meanwhile. The periodic task calls it on the event loop, so a writer that writes on the
  loop (as the results writer does) is never caught half-way. A writer in another thread must hold
  `guard` while it writes, or write by renaming a complete file into place.
- Bytes still in a writer's buffer are not in the snapshot; they are in the next one. A snapshot is what a
  kill -9 at that moment would have left on disk, which is what the ledger is built to resume from.
- Sidecars are uploaded before the results file, and objects whose files are gone are deleted last, so a
  container killed part-way through a checkpoint leaves S3 with every outcome it held before: a new
  results file is never in S3 without the `.prev` it was started from.

`fence` is called before each upload (pass the S3 lock's `check`): a run that has lost its lock must not
overwrite the ledger of the run that took over.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from bulkload.errors import JobError, ResultsFileError
from bulkload.storage.client import S3Client, s3_errors
from bulkload.storage.snapshot import Identity, Snapshot, belongs_to_ledger, identity, take_snapshot
from bulkload.storage.url import S3Url

DEFAULT_INTERVAL: Final = 30.0
_CHUNK: Final = 1 << 20


class LedgerCheckpoint:
    """The ledger of `results` in `workdir`, mirrored to S3 (see the module docstring for the contract)."""

    def __init__(
        self,
        client: S3Client,
        results: S3Url,
        workdir: Path,
        *,
        interval: float = DEFAULT_INTERVAL,
        guard: Callable[[], AbstractContextManager[object]] | None = None,
        fence: Callable[[], None] | None = None,
        on_error: Callable[[JobError], None] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.results = results
        self.workdir = workdir
        self.interval = interval
        self.last_error: JobError | None = None  # the last periodic upload's failure, until one succeeds
        self.uploads = 0  # objects written so far
        self.finished = False  # the upload at the end reached S3: S3 holds the ledger as the run left it
        self._client = client
        self._guard = guard or contextlib.nullcontext
        self._fence = fence
        self._on_error = on_error
        self._remote: set[str] | None = None  # the ledger's objects in S3, once known
        self._sent: dict[str, Identity] = {}
        self._sequence = itertools.count(1)
        self._uploaded = 0  # the sequence of the newest snapshot in S3
        self._upload_lock = threading.Lock()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def results_path(self) -> Path:
        """The local results file the job reads and writes."""
        return self.workdir / self.results.name

    def download(self) -> list[str]:
        """Make the working directory hold what S3 holds of the ledger (blocking); the names fetched.

        Ledger files in the directory that S3 does not hold are removed: S3 is the ledger's record.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        remote = self._list()
        for name in sorted(remote):
            self._fetch(name)
            self._sent[name] = identity((self.workdir / name).stat())  # no need to send it back
        for path in self.workdir.iterdir():
            if belongs_to_ledger(self.results.name, path.name) and path.name not in remote and path.is_file():
                path.unlink()
        self._remote = remote
        return sorted(remote)

    def snapshot(self) -> Snapshot:
        """Open the ledger's files and note their lengths; call it when no write is half done."""
        with self._guard():
            return take_snapshot(self.workdir, self.results.name, next(self._sequence))

    def upload(self, snapshot: Snapshot) -> int:
        """Upload a snapshot (blocking) and close it; the number of objects written.

        Unchanged files are not sent again, and a snapshot older than one already uploaded is dropped.
        """
        with self._upload_lock, contextlib.closing(snapshot):
            if snapshot.sequence <= self._uploaded:
                return 0
            if self._fence is not None:
                self._fence()
            remote = self._remote if self._remote is not None else self._list()
            written = 0
            for name in snapshot.names:
                frozen = snapshot.files[name]
                if self._sent.get(name) == frozen.identity and name in remote:
                    continue
                url = self._object(name)
                try:
                    with s3_errors(url, kind=ResultsFileError):
                        self._client.put_object(Bucket=url.bucket, Key=url.key, Body=frozen.body())
                except OSError as exc:  # reading the local file
                    raise ResultsFileError(f"cannot read {self.workdir / name}: {exc}") from exc
                self._sent[name] = frozen.identity
                remote.add(name)
                written += 1
            for name in sorted(remote - snapshot.files.keys()):
                url = self._object(name)
                with s3_errors(url, kind=ResultsFileError):
                    self._client.delete_object(Bucket=url.bucket, Key=url.key)
                remote.discard(name)
                self._sent.pop(name, None)
            self._remote, self._uploaded = remote, snapshot.sequence
            self.uploads += written
            return written

    async def checkpoint(self) -> int:
        """Take a snapshot now, on the event loop, and upload it from a worker thread."""
        snapshot = self.snapshot()
        return await asyncio.to_thread(self.upload, snapshot)

    async def __aenter__(self) -> Self:
        self._stop.clear()
        self._task = asyncio.create_task(self._upload_periodically(), name="s3-ledger-checkpoint")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the periodic uploads and upload once more: the ledger as the run leaves it."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        try:
            await self.checkpoint()
        except JobError as error:
            if exc is None:
                raise
            self._report(error)  # the run's own error is the one to raise
        else:
            self.last_error, self.finished = None, True

    async def _upload_periodically(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stop.wait(), self.interval)
            except TimeoutError:
                pass
            else:
                return
            try:
                await self.checkpoint()
            except JobError as error:
                self._report(error)  # tried again at the next interval
            else:
                self.last_error = None

    def _report(self, error: JobError) -> None:
        self.last_error = error
        if self._on_error is not None:
            self._on_error(error)

    def _object(self, name: str) -> S3Url:
        """The object of a ledger file: the results key with the file's suffix."""
        return self.results.sibling(name[len(self.results.name) :])

    def _list(self) -> set[str]:
        """The names of the ledger's objects in S3."""
        prefix = self.results.key[: len(self.results.key) - len(self.results.name)]
        names: set[str] = set()
        with s3_errors(self.results, kind=ResultsFileError):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.results.bucket, Prefix=self.results.key
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = str(item["Key"])[len(prefix) :]
                    if belongs_to_ledger(self.results.name, name):
                        names.add(name)
        return names

    def _fetch(self, name: str) -> None:
        """Download one object into the working directory, replacing the local file in one step."""
        url = self._object(name)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".download", dir=self.workdir)
        try:
            with os.fdopen(fd, "wb") as out, s3_errors(url, kind=ResultsFileError):
                body = self._client.get_object(Bucket=url.bucket, Key=url.key)["Body"]
                with contextlib.closing(body):
                    for chunk in body.iter_chunks(_CHUNK):
                        out.write(chunk)
            os.replace(tmp, self.workdir / name)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise ResultsFileError(f"cannot write {self.workdir / name}: {exc.strerror or exc}") from exc
            raise
