"""The library entry point: a job run through `import bulkload` alone, with the caller's own client."""

from __future__ import annotations

import contextlib
import csv
import pydoc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import bulkload
from bulkload.emulator import Emulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from tests.conftest import MakeClient


def write_tasks(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Description", "Attributes.customer"])
        writer.writerows([f"Task {i}", f"Call customer {i}", f"{i:05d}"] for i in range(1, count + 1))
    return path


async def test_a_job_runs_through_the_public_api_with_an_injected_client_factory(
    tmp_path: Path, emulator: Emulator, make_connect_client: MakeClient
) -> None:
    client = await make_connect_client(emulator.endpoint_url)
    opened: list[bulkload.ClientSettings] = []

    @contextlib.asynccontextmanager
    async def factory(settings: bulkload.ClientSettings) -> AsyncIterator[Any]:
        opened.append(settings)
        yield client

    settings = bulkload.JobSettings(
        input=write_tasks(tmp_path / "tasks.csv", 5),
        mapping=bulkload.MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID),
        pool=bulkload.PoolSettings(rate=1000, burst=100, concurrency=4),
    )
    job = bulkload.Job(settings, client_factory=factory)
    summary = await job.run()

    assert isinstance(summary, bulkload.JobSummary)
    assert (summary.exit_code, summary.counts, summary.sent, summary.interrupted) == (
        0,
        {"created": 5},
        5,
        False,
    )
    assert summary.results == str(tmp_path / "tasks.results.csv")
    assert summary.job_id == job.job_id != ""
    assert isinstance(job.progress, bulkload.JobProgress)
    assert job.progress.rows_done == 5
    assert len(opened) == 1
    assert opened[0].max_connections == settings.pool.max_concurrency
    with settings.results_path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["status"] for line in lines] == [bulkload.Status.CREATED.value] * 5
    created = {task.client_token: task.contact_id for task in emulator.snapshot().tasks}
    assert {line["client_token"]: line["contact_id"] for line in lines} == created

    again = await bulkload.Job(settings, client_factory=factory).run()
    assert (again.exit_code, again.sent, again.carried_over) == (0, 0, 5)
    assert len(emulator.snapshot().tasks) == 5

    checked = await bulkload.Job(settings, client_factory=factory).validate()
    assert (checked.exit_code, checked.counts) == (0, {"valid": 5})


async def test_job_errors_are_raised_as_the_public_error_tree(tmp_path: Path) -> None:
    settings = bulkload.JobSettings(input=tmp_path / "missing.csv")
    with pytest.raises(bulkload.UnreadableFileError) as info:
        await bulkload.Job(settings).run()
    assert isinstance(info.value, bulkload.JobError)
    assert isinstance(info.value, bulkload.BulkloadError)


def test_open_source_reads_the_rows_a_job_would_read(tmp_path: Path) -> None:
    path = write_tasks(tmp_path / "tasks.csv", 3)
    with bulkload.open_source(path, bulkload.SourceOptions()) as source:
        rows = [row for chunk in source.chunks() for row in chunk]
    assert all(isinstance(row, bulkload.SourceRow) for row in rows)
    assert [(row.row, row.line, row.cells["Name"]) for row in rows] == [
        (1, 2, "Task 1"),
        (2, 3, "Task 2"),
        (3, 4, "Task 3"),
    ]


def test_every_public_name_is_documented() -> None:
    for name in bulkload.__all__:
        assert getattr(bulkload, name).__doc__, name
    page = pydoc.render_doc(bulkload.Job)
    for words in ("JobSettings", "run()", "progress", "request_stop", "client_factory"):
        assert words in page
