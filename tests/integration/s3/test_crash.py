"""A container killed mid-job and a new one on an empty disk: the real `bulkload run` in subprocesses, its
input and ledger in S3 (moto in server mode), an emulator on its own thread that remembers every task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger import read_outcomes
from bulkload.records import RowOutcome, Status
from bulkload.storage import S3Url
from tests.integration.helpers import simple_rows, write_csv
from tests.integration.s3.helpers import get, keys, put

pytestmark = pytest.mark.slow


def start_loader(
    input_url: S3Url, emulator_url: str, s3_endpoint: str, directory: Path, *extra: str
) -> subprocess.Popen[bytes]:
    """`bulkload run s3://...` in a process of its own, in `directory` (made empty), its ledger kept there."""
    directory.mkdir()
    command = [
        sys.executable,
        "-m",
        "bulkload",
        "run",
        str(input_url),
        "--endpoint-url",
        emulator_url,
        "--region",
        "us-east-1",
        "--instance-id",
        DEFAULT_INSTANCE_ID,
        "--flow-id",
        DEFAULT_FLOW_ID,
        "--max-attempts",
        "30",
        "--progress",
        "none",
        "--s3-endpoint-url",
        s3_endpoint,
        "--workdir",
        str(directory / "work"),
        "--checkpoint-interval",
        "1",
        *extra,
    ]
    return subprocess.Popen(
        command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy()
    )


def wait_for_tasks(emulator: ThreadedEmulator, count: int, proc: subprocess.Popen[bytes]) -> None:
    """Until the emulator holds `count` tasks (the loader must still be running)."""
    deadline = time.monotonic() + 120
    while len(emulator.snapshot().tasks) < count:
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, f"fewer than {count} tasks in 120 s"
        time.sleep(0.01)


def wait_for_checkpoint(client: Any, results: S3Url, proc: subprocess.Popen[bytes]) -> None:
    """Until a checkpoint has put the results object in S3 (the loader must still be running)."""
    deadline = time.monotonic() + 60
    while results.key not in keys(client, results.bucket):
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "no checkpoint in 60 s"
        time.sleep(0.05)
    assert proc.poll() is None


def ledger(client: Any, url: S3Url, tmp_path: Path) -> list[RowOutcome]:
    """The outcomes the results object holds now."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}.csv"
    copy.write_bytes(get(client, url))
    return list(read_outcomes(copy))


def test_a_job_killed_mid_run_is_finished_by_a_new_process_in_an_empty_directory(
    s3_client: Any, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    rows = 1500
    input_url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, input_url, write_csv(tmp_path / "tasks.csv", simple_rows(rows)).read_bytes())
    results = S3Url(bucket, "exports/tasks.results.csv")
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=100, seed=3)) as emulator:
        first = start_loader(input_url, emulator.endpoint_url, s3_endpoint, tmp_path / "one", "--rate", "150")
        wait_for_tasks(emulator, rows // 3, first)
        wait_for_checkpoint(s3_client, results, first)
        first.kill()  # SIGKILL: no upload at the end, no lock released
        first.communicate()
        saved = ledger(s3_client, results, tmp_path)
        assert 0 < len(saved) < rows  # what the last checkpoint before the kill held

        second = start_loader(
            input_url,
            emulator.endpoint_url,
            s3_endpoint,
            tmp_path / "two",
            "--rate",
            "300",
            "--lock-wait",
            "30",
        )
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err.decode()
        snapshot = emulator.snapshot()
    assert f"sent {rows - len(saved)} rows this run, {len(saved)} created earlier".encode() in out
    assert len(snapshot.tasks) == rows
    assert len({task.client_token for task in snapshot.tasks}) == rows
    outcomes = ledger(s3_client, results, tmp_path)
    assert [o.row for o in outcomes] == list(range(1, rows + 1))
    assert all(o.status is Status.CREATED for o in outcomes)
    assert {o.contact_id for o in outcomes} == {task.contact_id for task in snapshot.tasks}
    assert {o.client_token for o in outcomes} == {task.client_token for task in snapshot.tasks}
    assert keys(s3_client, bucket) == [
        "exports/tasks.csv",
        "exports/tasks.results.csv",
        "exports/tasks.results.csv.job.json",
    ]


def test_a_second_process_on_the_same_job_exits_2_before_sending(
    s3_client: Any, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    input_url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, input_url, write_csv(tmp_path / "tasks.csv", simple_rows(300)).read_bytes())
    config = EmulatorConfig(rate=1000, burst=100, seed=4)
    with ThreadedEmulator(config) as emulator, ThreadedEmulator(config) as other:
        first = start_loader(input_url, emulator.endpoint_url, s3_endpoint, tmp_path / "one", "--rate", "20")
        wait_for_tasks(emulator, 5, first)
        second = start_loader(input_url, other.endpoint_url, s3_endpoint, tmp_path / "two", "--rate", "20")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2, err.decode()
        assert f"error: another bulkload (pid {first.pid} on ".encode() in err
        assert f"is running the job of s3://{bucket}/exports/tasks.results.csv".encode() in err
        assert other.snapshot().counts == {}  # the second process sent nothing
        assert first.poll() is None
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
        assert first.returncode == 130, err.decode()
    stored = keys(s3_client, bucket)
    assert "exports/tasks.results.csv" in stored  # the first uploaded its ledger as it stopped
    assert "exports/tasks.results.csv.lock" not in stored  # and released its lock
