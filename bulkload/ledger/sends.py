"""The write-ahead record of sends: a row is on disk as sent before its first request leaves.

The results file records outcomes. A request whose answer never arrived (the process was killed while it
was in flight) leaves no outcome, and without this record nothing on disk would say the row was sent:
if the row were then edited, the next run would send it under a new ClientToken, and a task the lost
attempt made would be made a second time. So before a row's first request of a run is handed to the
client, its row, key, token, request hash and the time are appended to `<results>.sends`. The next run
folds the record in (see `rotation`): a row recorded here with no outcome is an unknown outcome, decided
as a `failed` row is (resolved with the same token if unchanged, held if edited).

Writes are batched: every row about to be sent in one event-loop turn waits for a single `os.write` at
the start of the next turn, and its request leaves only once that write has returned. The data is then
in the OS (a kill -9 keeps it), not necessarily on disk: it is synced only when the run closes the file,
so a power cut can lose the latest entries.

The file: a JSON header line naming the job, then one JSON array per sent row. A last line without its
newline was torn by a crash and is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from json.encoder import encode_basestring_ascii as _string
from pathlib import Path
from typing import Final

from bulkload.errors import ResultsFileError
from bulkload.records import RowOutcome, Status, TaskRequest

UNKNOWN_OUTCOME: Final = "UnknownOutcome"
"""The error code of a row found in the record without an outcome."""
UNKNOWN_OUTCOME_MESSAGE: Final = "sent before the process stopped; its outcome is unknown"
_FORMAT: Final = "bulkload-sends"
_VERSION: Final = 1


def utc_stamp(seconds: float) -> str:
    """`seconds` since the epoch as ISO 8601 UTC to the second: the `sent_at` column's format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def stamp_seconds(stamp: str) -> float | None:
    """A `sent_at` value back as seconds since the epoch; None when it is empty or not a time."""
    try:
        return datetime.fromisoformat(stamp).timestamp() if stamp else None
    except ValueError:
        return None


class SendRecord:
    """Appends each row's first send of a run to the record, one write per event-loop turn.

    The file is created with the first entry, so a run that sent nothing leaves none.
    """

    def __init__(self, path: Path, *, job_id: str, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.job_id = job_id
        self.entries = 0  # rows recorded so far
        self._clock = clock
        self._fd: int | None = None
        self._batch: list[tuple[TaskRequest, asyncio.Future[str]]] = []

    async def before_send(self, request: TaskRequest) -> str:
        """Record `request` as sent; return once it is in the OS, with the time of its first attempt.

        The time is the request's own `sent_at` (its token was first sent by an earlier run) or now.
        Raises ResultsFileError when the record cannot be written: the request must not be sent then.
        """
        loop = asyncio.get_running_loop()
        written: asyncio.Future[str] = (
            loop.create_future()
        )  # one per row: a cancelled row cancels only its own
        if not self._batch:
            loop.call_soon(self._flush)
        self._batch.append((request, written))
        return await written

    def _flush(self) -> None:
        # A row cancelled while it waited is not recorded: it will not be sent.
        batch = [(request, written) for request, written in self._batch if not written.cancelled()]
        self._batch = []
        stamp = utc_stamp(self._clock())
        lines = [_entry(r, r.sent_at or stamp) for r, _ in batch]
        try:
            if self._fd is None and batch:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
                header = {"format": _FORMAT, "version": _VERSION, "job_id": self.job_id}
                lines.insert(0, json.dumps(header) + "\n")
            if self._fd is not None:
                _write_all(self._fd, "".join(lines).encode("utf-8"))
        except OSError as exc:
            error = f"cannot write {self.path}, so nothing more is sent: {exc.strerror}"
            for _, written in batch:
                written.set_exception(ResultsFileError(error))
            return
        self.entries += len(batch)
        for request, written in batch:
            written.set_result(request.sent_at or stamp)

    def close(self) -> None:
        """Sync and close the file (it stays until the run finishes: see `rotation.finish`)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):  # some filesystems cannot sync; the data is in the OS
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


def _entry(request: TaskRequest, sent_at: str) -> str:
    """One line of the record: a JSON array (built by hand, a fifth of `json.dumps`'s cost per row)."""
    return (
        f"[{request.row:d}, {request.line:d}, {_string(request.key)}, {_string(request.client_token)}, "
        f"{_string(request.request_hash)}, {_string(sent_at)}]\n"
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_sends(path: Path) -> Iterator[RowOutcome]:
    """Each row in the record as an unknown outcome: `failed`, with the token and hash it was sent with."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ResultsFileError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        job_id: str | None = None
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                return  # torn by a crash mid-write: that row's request never left
            if job_id is None:
                job_id = _header(raw, path)
                continue
            yield _unknown(raw, job_id, path, number)


def _damaged(path: Path, number: int) -> ResultsFileError:
    return ResultsFileError(
        f"{path}, line {number}: not a record of a send; the file was damaged. Delete it to go on without "
        "it (rows sent by the run that wrote it, and edited since, may then be created twice)"
    )


def _header(raw: bytes, path: Path) -> str:
    try:
        header = json.loads(raw)
    except ValueError:
        header = None
    if (
        not isinstance(header, dict)
        or header.get("format") != _FORMAT
        or header.get("version") != _VERSION
        or not isinstance(header.get("job_id"), str)
    ):
        raise _damaged(path, 1)
    return str(header["job_id"])


def _unknown(raw: bytes, job_id: str, path: Path, number: int) -> RowOutcome:
    try:
        row, line, key, token, req_hash, sent_at = json.loads(raw)
        return RowOutcome(
            row=int(row),
            line=int(line),
            key=str(key),
            status=Status.FAILED,
            job_id=job_id,
            client_token=str(token),
            request_hash=str(req_hash),
            error_code=UNKNOWN_OUTCOME,
            error_message=UNKNOWN_OUTCOME_MESSAGE,
            attempts=1,
            sent_at=str(sent_at),
        )
    except (ValueError, TypeError) as exc:
        raise _damaged(path, number) from exc
