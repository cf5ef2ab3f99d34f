"""A job's own figures and files, with a stand-in client: totals of a stopped job, files of one that
cannot start."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bulkload.cli.output import summary_text
from bulkload.connect.client import ClientSettings
from bulkload.errors import ConfigError
from bulkload.job import Job, JobSettings
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings

POOL = PoolSettings(rate=1000, burst=100, concurrency=2)


def write_tasks(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name"])
        writer.writerows([f"Task {i}"] for i in range(1, count + 1))
    return path


class StopsAfter:
    """Creates every task it is sent, and asks the job to stop once it has created `count`."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.created = 0
        self.job: Job | None = None

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        self.created += 1
        if self.created == self.count and self.job is not None:
            self.job.request_stop()
        return {"ContactId": f"c-{self.created}"}

    def factory(self, _settings: ClientSettings) -> contextlib.AbstractAsyncContextManager[Any]:
        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[Any]:
            yield self

        return opened()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def settings_for(path: Path) -> JobSettings:
    # These fakes answer StartTaskContact only: the ids are not checked first.
    return JobSettings(
        input=path, mapping=MappingOptions(instance_id="i", flow_id="f"), pool=POOL, preflight=False
    )


async def test_a_stopped_run_reports_the_inputs_row_count_and_the_rows_it_read(tmp_path: Path) -> None:
    client = StopsAfter(101)
    job = Job(settings_for(write_tasks(tmp_path / "cb3.csv", 200)), client_factory=client.factory)
    client.job = job
    summary = await job.run()

    assert summary.interrupted
    assert summary.total_rows == 200
    assert summary.rows_read is not None
    assert 101 <= summary.rows_read < 200
    assert summary.total_rows_known
    assert summary_text(summary)[0].startswith(
        f"run: {tmp_path / 'cb3.csv'} (200 rows, {summary.rows_read} read before the stop) in "
    )
    assert summary.as_dict()["total_rows"] == 200
    assert job.progress.total_rows == 200  # a progress bar's last frame shows the same total


async def test_a_finished_run_counts_the_rows_it_read(tmp_path: Path) -> None:
    client = StopsAfter(0)
    job = Job(settings_for(write_tasks(tmp_path / "t.csv", 7)), client_factory=client.factory)
    summary = await job.run()
    assert (summary.total_rows, summary.rows_read, summary.total_rows_known) == (7, None, True)
    assert summary_text(summary)[0].startswith(f"run: {tmp_path / 't.csv'} (7 rows) in ")


async def test_a_job_whose_client_cannot_be_made_leaves_no_file_behind(tmp_path: Path) -> None:
    @contextlib.asynccontextmanager
    async def no_region(_settings: ClientSettings) -> AsyncIterator[Any]:
        raise ConfigError("no AWS region: pass --region or set AWS_REGION (or a region in your profile)")
        yield  # pragma: no cover - a generator, never reached

    path = write_tasks(tmp_path / "t.csv", 3)
    with pytest.raises(ConfigError, match="no AWS region"):
        await Job(settings_for(path), client_factory=no_region).run()
    assert list(files(tmp_path)) == ["t.csv"]


async def test_without_a_region_a_later_run_keeps_the_earlier_results_as_they_were(tmp_path: Path) -> None:
    path = write_tasks(tmp_path / "t.csv", 3)
    client = StopsAfter(0)
    await Job(settings_for(path), client_factory=client.factory).run()
    before = files(tmp_path)

    @contextlib.asynccontextmanager
    async def no_region(_settings: ClientSettings) -> AsyncIterator[Any]:
        raise ConfigError("no AWS region")
        yield  # pragma: no cover - a generator, never reached

    with pytest.raises(ConfigError):
        await Job(settings_for(path), client_factory=no_region).run()
    assert files(tmp_path) == before
