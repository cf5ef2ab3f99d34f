"""The ledger kept in S3: downloaded into an empty working directory, uploaded as consistent snapshots
every interval and at the end, deletions mirrored, and never by a run that lost its lock."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from bulkload.errors import JobError, ResultsFileError
from bulkload.storage import LedgerCheckpoint, S3Url
from tests.integration.s3.helpers import get, keys, put

NAME = "tasks.results.csv"
LEDGER = (NAME, f"{NAME}.job.json", f"{NAME}.pending", f"{NAME}.prev")


def write_ledger(workdir: Path) -> None:
    """A results file, its sidecars, and files that are not part of the ledger."""
    workdir.mkdir(exist_ok=True)
    for name in LEDGER:
        (workdir / name).write_bytes(f"{name}\r\n".encode() * 1000)
    (workdir / f"{NAME}.lock").write_text("4242\n")  # the local flock: never mirrored
    (workdir / f"{NAME}.job.json.tmp").write_text("{")  # a write before its rename
    (workdir / "other.results.csv").write_text("not ours")


def test_a_ledger_goes_up_and_comes_back_down_into_an_empty_directory(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    first = LedgerCheckpoint(s3_client, results_url, tmp_path / "first")
    assert first.download() == []
    assert first.results_path == tmp_path / "first" / NAME
    write_ledger(tmp_path / "first")
    assert first.upload(first.snapshot()) == 4
    assert keys(s3_client, results_url.bucket) == sorted(f"jobs/nightly/{name}" for name in LEDGER)

    second = LedgerCheckpoint(s3_client, results_url, tmp_path / "second")
    assert second.download() == sorted(LEDGER)
    assert sorted(os.listdir(tmp_path / "second")) == sorted(LEDGER)
    for name in LEDGER:
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()
    assert second.upload(second.snapshot()) == 0  # what was just downloaded is not sent back


def test_only_changed_files_are_sent_and_deleted_files_are_deleted_in_s3(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path)
    write_ledger(tmp_path)
    assert checkpoint.upload(checkpoint.snapshot()) == 4
    assert checkpoint.upload(checkpoint.snapshot()) == 0
    with (tmp_path / NAME).open("ab") as f:
        f.write(b"one more\r\n")
    (tmp_path / f"{NAME}.pending").unlink()
    (tmp_path / f"{NAME}.prev").unlink()
    assert checkpoint.upload(checkpoint.snapshot()) == 1
    assert get(s3_client, results_url).endswith(b"one more\r\n")
    assert keys(s3_client, results_url.bucket) == [f"jobs/nightly/{NAME}", f"jobs/nightly/{NAME}.job.json"]
    assert checkpoint.uploads == 5


def test_a_download_replaces_what_the_directory_held(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    put(s3_client, results_url, b"from s3\r\n")
    write_ledger(tmp_path)  # left over from an earlier job in the same directory
    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path)
    assert checkpoint.download() == [NAME]
    assert (tmp_path / NAME).read_bytes() == b"from s3\r\n"
    assert sorted(os.listdir(tmp_path)) == sorted(
        [NAME, f"{NAME}.lock", f"{NAME}.job.json.tmp", "other.results.csv"]
    )


def test_an_upload_sends_the_files_as_they_were_at_the_snapshot(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path)
    results, job = tmp_path / NAME, tmp_path / f"{NAME}.job.json"
    results.write_bytes(b"row,status\r\n1,CREATED\r\n")
    job.write_text('{"v": 1}\n')
    snapshot = checkpoint.snapshot()
    with results.open("ab") as f:
        f.write(b"2,CREA")  # written after the snapshot, and torn
    replacement = tmp_path / f"{NAME}.job.json.tmp"
    replacement.write_text('{"v": 2}\n')
    replacement.replace(job)  # renamed over after the snapshot
    assert checkpoint.upload(snapshot) == 2
    assert get(s3_client, results_url) == b"row,status\r\n1,CREATED\r\n"
    assert get(s3_client, results_url.sibling(".job.json")) == b'{"v": 1}\n'
    assert checkpoint.upload(checkpoint.snapshot()) == 2
    assert get(s3_client, results_url).endswith(b"2,CREA")


def test_an_older_snapshot_never_overwrites_a_newer_one(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path)
    (tmp_path / NAME).write_bytes(b"old\r\n")
    older = checkpoint.snapshot()
    (tmp_path / NAME).write_bytes(b"old\r\nnew\r\n")
    assert checkpoint.upload(checkpoint.snapshot()) == 1
    assert checkpoint.upload(older) == 0
    assert get(s3_client, results_url) == b"old\r\nnew\r\n"


def test_a_run_that_lost_its_lock_uploads_nothing(s3_client: Any, results_url: S3Url, tmp_path: Path) -> None:
    def fence() -> None:
        raise ResultsFileError("this run lost the lock")

    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path, fence=fence)
    write_ledger(tmp_path)
    with pytest.raises(ResultsFileError, match="lost the lock"):
        checkpoint.upload(checkpoint.snapshot())
    assert keys(s3_client, results_url.bucket) == []


async def test_the_ledger_is_uploaded_every_interval_and_at_the_end(
    s3_client: Any, results_url: S3Url, tmp_path: Path
) -> None:
    checkpoint = LedgerCheckpoint(s3_client, results_url, tmp_path, interval=0.2)
    await asyncio.to_thread(checkpoint.download)
    async with checkpoint:
        with checkpoint.results_path.open("ab") as ledger:
            for row in range(1, 4):
                ledger.write(f"{row},CREATED\r\n".encode())
                ledger.flush()
                expected = b"".join(f"{r},CREATED\r\n".encode() for r in range(1, row + 1))
                for _ in range(200):
                    if keys(s3_client, results_url.bucket) and get(s3_client, results_url) == expected:
                        break
                    await asyncio.sleep(0.05)
                assert get(s3_client, results_url) == expected
            ledger.write(b"4,CREATED\r\n")
    assert get(s3_client, results_url).endswith(b"3,CREATED\r\n4,CREATED\r\n")
    assert checkpoint.last_error is None


async def test_failed_periodic_uploads_are_reported_and_the_last_one_raises(
    s3_client: Any, tmp_path: Path
) -> None:
    errors: list[JobError] = []
    two_failed = asyncio.Event()

    def on_error(error: JobError) -> None:
        errors.append(error)
        if len(errors) == 2:
            two_failed.set()

    results = S3Url("no-such-bucket-here", f"jobs/{NAME}")
    checkpoint = LedgerCheckpoint(s3_client, results, tmp_path, interval=0.1, on_error=on_error)
    write_ledger(tmp_path)

    async def run_until_two_failed() -> None:
        async with checkpoint:
            await two_failed.wait()

    with pytest.raises(ResultsFileError, match="there is no bucket named no-such-bucket-here"):
        await asyncio.wait_for(run_until_two_failed(), 10)
    assert len(errors) >= 2  # each periodic failure is reported and tried again; the last one raises
    assert (
        str(errors[0])
        == f"s3://no-such-bucket-here/jobs/{NAME}: there is no bucket named no-such-bucket-here"
    )
    assert checkpoint.last_error is errors[-1]


async def test_the_runs_own_error_wins_over_a_failed_last_upload(s3_client: Any, tmp_path: Path) -> None:
    errors: list[JobError] = []
    checkpoint = LedgerCheckpoint(
        s3_client, S3Url("no-such-bucket-here", NAME), tmp_path, interval=60, on_error=errors.append
    )
    with pytest.raises(RuntimeError, match="the run failed"):
        async with checkpoint:
            raise RuntimeError("the run failed")
    assert len(errors) == 1
