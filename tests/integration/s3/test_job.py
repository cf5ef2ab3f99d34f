"""Jobs whose input and results are objects in S3 (moto in server mode), run in this process against an
emulator: each combination of local and S3 files, a second run continuing the ledger from S3, the job's
lock in S3, and the working directory."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bulkload.emulator import Emulator
from bulkload.errors import InputError, ResultsFileError
from bulkload.job import Job, JobSettings
from bulkload.ledger import read_outcomes
from bulkload.pool import PoolSettings
from bulkload.records import RowOutcome, Status
from bulkload.storage import LockOwner, ObjectInfo, S3JobLock, S3Url, object_info
from bulkload.storage import input as storage_input
from bulkload.storage.holder import lock_body
from bulkload.storage.options import S3Options
from tests.integration.helpers import no_sleep, settings_for, simple_rows, write_csv
from tests.integration.s3.helpers import get, keys, put


def s3_outcomes(client: Any, url: S3Url, tmp_path: Path) -> list[RowOutcome]:
    """The outcomes of the results object, read as a local results file is."""
    copy = tmp_path / "downloaded.results.csv"
    copy.write_bytes(get(client, url))
    return list(read_outcomes(copy))


@pytest.fixture
def input_url(s3_client: Any, bucket: str, tmp_path: Path) -> S3Url:
    """Twelve rows in S3."""
    local = write_csv(tmp_path / "tasks.csv", simple_rows(12))
    url = S3Url(bucket, "exports/2026-11-24/tasks.csv")
    put(s3_client, url, local.read_bytes())
    return url


def s3_settings(
    emulator: Emulator, input_path: Path | S3Url, s3_endpoint: str, **changes: Any
) -> JobSettings:
    """Job settings for the emulator, reaching the moto server; `changes` replace fields."""
    base = settings_for(
        emulator, Path("unused"), s3=S3Options(endpoint_url=s3_endpoint, checkpoint_interval=0.2)
    )
    return dataclasses.replace(base, input=input_path, **changes)


async def test_input_and_results_in_s3(
    emulator: Emulator, s3_client: Any, s3_endpoint: str, input_url: S3Url, tmp_path: Path
) -> None:
    settings = s3_settings(emulator, input_url, s3_endpoint)
    assert settings.results_location == S3Url(input_url.bucket, "exports/2026-11-24/tasks.results.csv")
    job = Job(settings, sleep=no_sleep)
    summary = await job.run()
    assert summary.exit_code == 0
    assert summary.input == str(input_url)
    assert summary.results == str(settings.results_location)
    assert not job.results_path.parent.exists()  # the fresh working directory is gone with the run
    outcomes = s3_outcomes(
        s3_client, S3Url(input_url.bucket, "exports/2026-11-24/tasks.results.csv"), tmp_path
    )
    assert [o.status for o in outcomes] == [Status.CREATED] * 12
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in emulator.snapshot().tasks}
    # The ledger's objects and nothing else: no .prev, no .pending, no lock once the run is done.
    assert keys(s3_client, input_url.bucket) == [
        "exports/2026-11-24/tasks.csv",
        "exports/2026-11-24/tasks.results.csv",
        "exports/2026-11-24/tasks.results.csv.job.json",
    ]
    job_file = get(s3_client, S3Url(input_url.bucket, "exports/2026-11-24/tasks.results.csv.job.json"))
    assert f'"input": "{input_url}"'.encode() in job_file
    assert f'"fingerprint": "{object_info(s3_client, input_url).fingerprint}"'.encode() in job_file


async def test_a_second_run_continues_the_ledger_in_s3_from_another_directory(
    emulator: Emulator, s3_client: Any, s3_endpoint: str, input_url: S3Url, tmp_path: Path
) -> None:
    results = S3Url(input_url.bucket, "ledgers/tasks.results.csv")
    first = s3_settings(emulator, input_url, s3_endpoint, results=results)
    assert (await Job(first, sleep=no_sleep).run()).exit_code == 0
    created = s3_outcomes(s3_client, results, tmp_path)
    workdir = tmp_path / "second"
    second = dataclasses.replace(first, s3=dataclasses.replace(first.s3, workdir=workdir))
    summary = await Job(second, sleep=no_sleep).run()
    assert summary.exit_code == 0
    assert summary.sent == 0  # every row is in the ledger downloaded from S3
    assert len(emulator.snapshot().tasks) == 12
    assert s3_outcomes(s3_client, results, tmp_path) == created
    assert (workdir / "tasks.results.csv").exists()  # a directory given is kept


async def test_an_s3_input_with_local_results(
    emulator: Emulator, s3_endpoint: str, input_url: S3Url, tmp_path: Path
) -> None:
    settings = s3_settings(emulator, input_url, s3_endpoint, results=tmp_path / "local.results.csv")
    summary = await Job(settings, sleep=no_sleep).run()
    assert summary.exit_code == 0
    assert len(list(read_outcomes(tmp_path / "local.results.csv"))) == 12


async def test_preflight_reads_the_version_of_the_input_that_the_run_sends(
    emulator: Emulator, s3_endpoint: str, input_url: S3Url, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads: list[S3Url] = []

    def counted_head(client: Any, url: S3Url) -> ObjectInfo:
        heads.append(url)
        return object_info(client, url)

    monkeypatch.setattr(storage_input, "object_info", counted_head)
    settings = s3_settings(emulator, input_url, s3_endpoint, results=tmp_path / "local.results.csv")
    assert settings.preflight
    summary = await Job(settings, sleep=no_sleep).run()
    assert summary.exit_code == 0
    assert emulator.snapshot().lookup_counts  # preflight read the input and checked its ids
    assert heads == [input_url]  # one HEAD: both reads are of the version it found


async def test_a_local_input_with_results_in_s3(
    emulator: Emulator, s3_client: Any, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    local = write_csv(tmp_path / "tasks.csv", simple_rows(5))
    results = S3Url(bucket, "ledgers/tasks.results.csv")
    settings = s3_settings(emulator, local, s3_endpoint, results=str(results))
    assert settings.results == results  # an s3:// string is taken as the URL it is
    assert (await Job(settings, sleep=no_sleep).run()).exit_code == 0
    assert [o.row for o in s3_outcomes(s3_client, results, tmp_path)] == [1, 2, 3, 4, 5]
    assert f'"input": "{local.resolve()}"'.encode() in get(s3_client, results.sibling(".job.json"))


async def test_a_job_whose_lock_another_run_holds_sends_nothing(
    emulator: Emulator, s3_client: Any, s3_endpoint: str, input_url: S3Url
) -> None:
    results = S3Url(input_url.bucket, "exports/2026-11-24/tasks.results.csv")
    holder = S3JobLock(s3_client, results)
    holder.acquire()
    settings = s3_settings(emulator, input_url, s3_endpoint)
    with pytest.raises(ResultsFileError) as caught:
        await Job(settings, sleep=no_sleep).run()
    assert str(caught.value).startswith(f"another bulkload (pid {os.getpid()} on {holder.owner.host}, since ")
    assert f"is running the job of {results}; wait for it to finish" in str(caught.value)
    assert emulator.snapshot().tasks == ()
    holder.release()


async def test_results_that_are_the_input_are_refused(
    emulator: Emulator, s3_client: Any, s3_endpoint: str, input_url: S3Url
) -> None:
    settings = s3_settings(emulator, input_url, s3_endpoint, results=input_url)
    with pytest.raises(InputError, match="is the input itself; pass another --results"):
        await Job(settings, sleep=no_sleep).run()
    assert keys(s3_client, input_url.bucket) == [input_url.key]


async def test_validate_reads_an_input_in_s3(emulator: Emulator, s3_endpoint: str, input_url: S3Url) -> None:
    summary = await Job(s3_settings(emulator, input_url, s3_endpoint)).validate()
    assert summary.exit_code == 0
    assert summary.total_rows == 12


async def test_a_run_whose_lock_is_taken_over_stops_and_uploads_nothing_more(
    make_emulator: Any, s3_client: Any, s3_endpoint: str, input_url: S3Url, tmp_path: Path
) -> None:
    emulator = await make_emulator(latency_ms=50)
    results = S3Url(input_url.bucket, "exports/2026-11-24/tasks.results.csv")
    settings = s3_settings(emulator, input_url, s3_endpoint, pool=PoolSettings(rate=4, burst=1))
    job = Job(settings, sleep=no_sleep)
    run = asyncio.create_task(job.run())
    for _ in range(1500):  # until the first task is created
        if emulator.snapshot().tasks:
            break
        await asyncio.sleep(0.02)
    rival = LockOwner("rival-host", 4242, "rival")
    body = lock_body(rival, taken="2026-11-24T02:00:00Z", refreshed="2026-11-24T02:00:00Z", stale_after=90)
    put(s3_client, results.sibling(".lock"), body)  # as a run that took the lock over would
    with pytest.raises(ResultsFileError) as caught:
        await asyncio.wait_for(run, 30)
    message = str(caught.value)
    assert message.startswith(
        f"this run lost the lock on the job of {results}: another run took it over (pid 4242 on rival-host, "
        "since 2026-11-24T02:00:00Z, last refreshed "
    )
    assert message.endswith("; it stops here, so that two runs never work on one job")
    assert job.stopping  # no row was sent after the lock was lost
    assert len(emulator.snapshot().tasks) < 12
    assert get(s3_client, results.sibling(".lock")) == body  # the rival's lock is left alone
    assert job.results_path.exists()  # the working copy is kept: its last upload was refused
    shutil.rmtree(job.results_path.parent)
