"""Undoing a load: stop the tasks a job created, each once, from its results file.

records    StopRequest (a task to stop), StopOutcome (what became of it), StopStatus
plan       which tasks to stop: the created rows, narrowed by keys or schedule, less those done
ledger     the stop ledger beside the results file (<results>.stop.csv), resumable after a kill -9
operation  StopContact as an operation of the pool: the call, and what each answer means
summary    StopProgress while it runs, StopSummary when it is done
job        StopJob: the lock, the plan, the send loop and the ledger, wired together
api        `bulkload.stop` and `bulkload.astop`
"""

from __future__ import annotations

from bulkload.undo.job import StopJob, StopSettings, recorded_client
from bulkload.undo.plan import StopPlan, make_plan, read_keys
from bulkload.undo.records import StopOutcome, StopRequest, StopStatus
from bulkload.undo.summary import StopProgress, StopSummary

__all__ = [
    "StopJob",
    "StopOutcome",
    "StopPlan",
    "StopProgress",
    "StopRequest",
    "StopSettings",
    "StopStatus",
    "StopSummary",
    "make_plan",
    "read_keys",
    "recorded_client",
]
