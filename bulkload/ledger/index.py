"""The outcomes of earlier runs, indexed by row key on disk, so resuming a large job costs no memory."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from bulkload.records import RowOutcome, Status


class PreviousResults:
    """The outcomes of earlier runs, looked up by row key.

    Backed by a temporary SQLite file rather than a dict, so resuming a million-row job costs disk,
    not memory. Later outcomes win over earlier ones for the same key, except over a created outcome.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="bulkload-")
        # check_same_thread=False: the job reads it from worker threads, one call at a time.
        self._db = sqlite3.connect(Path(self._dir.name) / "prev.sqlite", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE outcome (key TEXT PRIMARY KEY, row INTEGER, line INTEGER, status TEXT,"
            " job_id TEXT, contact_id TEXT, client_token TEXT, request_hash TEXT, error_code TEXT,"
            " error_message TEXT, attempts INTEGER, instance_id TEXT, scheduled_time INTEGER, sent_at TEXT)"
        )
        self.job_ids: set[str] = set()

    def add(self, outcomes: Iterable[RowOutcome]) -> int:
        """Index outcomes (later ones replace earlier ones for a key, except over a created one); count them."""
        count = 0

        def rows() -> Iterator[tuple[object, ...]]:
            nonlocal count
            for o in outcomes:
                count += 1
                if o.job_id:
                    self.job_ids.add(o.job_id)
                yield (
                    o.key,
                    o.row,
                    o.line,
                    o.status.value,
                    o.job_id,
                    o.contact_id,
                    o.client_token,
                    o.request_hash,
                    o.error_code,
                    o.error_message,
                    o.attempts,
                    o.instance_id,
                    o.scheduled_time,
                    o.sent_at,
                )

        with self._db:
            # A created row is final: nothing later (a repeated key's invalid line) may hide its task, or
            # a re-run would send it again.
            self._db.executemany(
                "INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                " row=excluded.row, line=excluded.line, status=excluded.status, job_id=excluded.job_id,"
                " contact_id=excluded.contact_id, client_token=excluded.client_token,"
                " request_hash=excluded.request_hash, error_code=excluded.error_code,"
                " error_message=excluded.error_message, attempts=excluded.attempts,"
                " instance_id=excluded.instance_id, scheduled_time=excluded.scheduled_time,"
                " sent_at=excluded.sent_at"
                " WHERE outcome.status != 'created' OR excluded.status = 'created'",
                rows(),
            )
        return count

    def get(self, key: str) -> RowOutcome | None:
        """The latest known outcome of the row with this key."""
        found = self._db.execute("SELECT * FROM outcome WHERE key = ?", (key,)).fetchone()
        return None if found is None else _from_db(found)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outcome").fetchone()[0])

    def __iter__(self) -> Iterator[RowOutcome]:
        for found in self._db.execute("SELECT * FROM outcome ORDER BY row"):
            yield _from_db(found)

    def close(self) -> None:
        """Drop the index."""
        self._db.close()
        self._dir.cleanup()


def _from_db(found: tuple[object, ...]) -> RowOutcome:
    key, row, line, status, job_id, contact_id, token, req_hash, code, message, attempts, *rest = found
    instance, at, sent_at = rest
    return RowOutcome(
        row=int(str(row)),
        line=int(str(line)),
        key=str(key),
        status=Status(str(status)),
        job_id=str(job_id),
        contact_id=str(contact_id),
        client_token=str(token),
        request_hash=str(req_hash),
        error_code=str(code),
        error_message=str(message),
        attempts=int(str(attempts)),
        instance_id=str(instance),
        scheduled_time=None if at is None else int(str(at)),
        sent_at=str(sent_at),
    )
