"""The results file and every sidecar beside it: the job's ledger of what became of each row.

paths     the one place that names the sidecars (.prev, .pending, .sends, .job.json, .lock, .stop.csv)
writer    the columns and the writers, spreadsheet-safe cells
reader    reading a results file (or another ledger file) back (a torn last line is ignored)
ordering  outcomes back in input order, the waiting ones kept in .pending
sends     .sends: each row recorded as sent before its first request leaves, for a crash's next run
index     earlier runs' outcomes by key, in an on-disk SQLite index
rotation  moving the ledger aside at the start of a run, folding in a crashed run, finishing
jobfile   .job.json: the input and options that `bulkload retry` runs again
guard     whose results file this is, and which job id a run takes
memory_owner  the same for data in memory, which has no path: what its job file records of it
claim     a run's claim on its results file until it commits to sending (or undoes it)
lock      one run at a time per results file
frame     the results file as a pandas DataFrame, to join back to the input
"""

from __future__ import annotations

from bulkload.ledger.claim import LedgerClaim, claim_ledger
from bulkload.ledger.guard import check_results_file, resolve_job_id
from bulkload.ledger.index import PreviousResults
from bulkload.ledger.jobfile import read_job_file, recorded_key_column, write_job_file
from bulkload.ledger.lock import ResultsLock
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.ordering import InOrderWriter
from bulkload.ledger.paths import (
    job_file_path,
    ledger_files,
    lock_path,
    pending_path,
    prev_path,
    sends_path,
    stop_ledger_path,
    temporary_path,
)
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.rotation import (
    finish,
    has_ledger,
    index_ledger,
    open_previous,
    undo_open,
    undo_run,
)
from bulkload.ledger.sends import SendRecord, read_sends
from bulkload.ledger.writer import COLUMNS, ResultsWriter, neutralise, restore, write_all

__all__ = [
    "COLUMNS",
    "InOrderWriter",
    "LedgerClaim",
    "MemoryInput",
    "PreviousResults",
    "ResultsLock",
    "ResultsWriter",
    "SendRecord",
    "check_results_file",
    "claim_ledger",
    "finish",
    "has_ledger",
    "index_ledger",
    "job_file_path",
    "ledger_files",
    "lock_path",
    "neutralise",
    "open_previous",
    "pending_path",
    "prev_path",
    "read_job_file",
    "read_outcomes",
    "read_sends",
    "recorded_key_column",
    "resolve_job_id",
    "restore",
    "sends_path",
    "stop_ledger_path",
    "temporary_path",
    "undo_open",
    "undo_run",
    "write_all",
    "write_job_file",
]
