"""A nightly Airflow task: the day's callbacks, queried from the warehouse, become Connect tasks, exactly once.

The job id is the day: a retry of the task (or a re-run of that day's DAG run) continues the day's job
and sends only the rows not created yet, while the next day is a new job, with its own results file. The
summary's exit code decides the task's state: 0 (every row created) succeeds; anything else fails the
task, and its log and the results file say which rows and why. Airflow is not a dependency of bulkload:
this file is a sample to copy into a DAG folder.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

# Airflow is not installed with bulkload, so its names are untyped here.
from airflow.decorators import dag, task  # type: ignore[import-not-found]

import bulkload

RESULTS = Path("/var/lib/bulkload/callbacks")
QUERY = """
    SELECT ticket, customer, issue, tier, call_at
    FROM callbacks
    WHERE due_day = %(day)s
"""


@task(retries=2)  # type: ignore[untyped-decorator]
def load_callbacks(ds: str | None = None) -> dict[str, Any]:
    """Load the callbacks due on the run's day (`ds`, which Airflow passes) and fail unless all were created."""
    frame = pd.read_sql(QUERY, os.environ["WAREHOUSE_URL"], params={"day": ds}, index_col="ticket")
    summary = bulkload.load(
        frame,
        results=RESULTS / f"callbacks-{ds}.results.csv",
        job_id=f"callbacks-{ds}",  # a retry of this day continues its job: no row is sent twice
        key="ticket",
        instance_id=os.environ["CONNECT_INSTANCE_ID"],
        flow_id=os.environ["CONNECT_FLOW_ID"],
        mapping={
            "Name": "customer",
            "Description": "issue",
            "Attributes.tier": "tier",
            "ScheduledTime": "call_at",
        },
        timezone="Europe/London",
        rate=5,
    )
    if summary.exit_code != 0:
        # Some rows are invalid, rejected or failed: the task fails, and a retry sends only those rows.
        raise RuntimeError(f"bulkload: {summary.counts}; see {summary.results} for each row's reason")
    return summary.as_dict()  # the XCom: counts, sent, rate, latency...


@dag(schedule="@daily", start_date=datetime(2025, 1, 1, tzinfo=UTC), catchup=False)  # type: ignore[untyped-decorator]
def nightly_callbacks() -> None:
    """Each night, the day's callbacks become tasks."""
    load_callbacks()


nightly_callbacks()
