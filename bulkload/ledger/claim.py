"""A run's claim on its results file, from before its first row until it commits to sending.

A run first claims the results file: it refuses one that belongs to another input or another --key
(`guard`), sets the ledger aside and indexes it (`rotation`), and takes the job id. It commits by
recording the job file, just before its first row is sent. Until then `undo` puts the results file back
as it was, so a run that fails its checks, or is stopped, before sending leaves nothing behind. Data in
memory, which has no path, claims it by what it is (`memory_owner`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulkload.ledger.guard import check_results_file, resolve_job_id
from bulkload.ledger.index import PreviousResults
from bulkload.ledger.jobfile import write_job_file
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.paths import job_file_path, sends_path
from bulkload.ledger.rotation import has_ledger, open_previous, undo_run

if TYPE_CHECKING:
    from bulkload.storage.url import S3Url


@dataclass(frozen=True)
class LedgerClaim:
    """A claimed results file: the earlier outcomes, the job id, and whether an earlier run left a ledger
    or a job file (undoing this run keeps that job file: its job id may be in tokens already sent)."""

    path: Path
    previous: PreviousResults
    job_id: str
    had_ledger: bool

    def commit(
        self,
        *,
        input_path: Path | S3Url | None,
        fingerprint: str,
        options: dict[str, Any],
        memory: MemoryInput | None = None,
    ) -> None:
        """Record the job file: from now on rows may be sent under this job id (`input_path` None and
        `memory` for data in memory)."""
        write_job_file(
            self.path,
            input_path=input_path,
            memory=memory,
            fingerprint=fingerprint,
            job_id=self.job_id,
            options=options,
        )

    def undo(self, *, nothing_sent: bool = False) -> None:
        """Put the results file back as it was before the run (call once, at most). With `nothing_sent`
        (no request reached the service) the run's record of sends goes too: it holds nothing sent."""
        if nothing_sent:
            sends_path(self.path).unlink(missing_ok=True)
        undo_run(self.path, had_ledger=self.had_ledger)


def claim_ledger(
    path: Path,
    *,
    input_path: Path | S3Url | None,
    explicit: bool,
    fingerprint: str,
    key_column: str | None,
    job_id: str | None,
    memory: MemoryInput | None = None,
) -> LedgerClaim:
    """Claim the results file `path` for this input (see the module docstring); `job_id` is --job-id.

    `input_path` is None for data in memory, which `memory` describes.
    """
    recorded = check_results_file(
        path,
        input_path=input_path,
        explicit=explicit,
        fingerprint=fingerprint,
        key_column=key_column,
        memory=memory,
        pinned=job_id is not None,
    )
    had_ledger = has_ledger(path) or job_file_path(path).exists()
    previous = open_previous(path)
    try:
        resolved = resolve_job_id(
            path, previous.job_ids, recorded=recorded, requested=job_id, fingerprint=fingerprint
        )
    except BaseException:
        previous.close()
        raise
    return LedgerClaim(path, previous, resolved, had_ledger)
