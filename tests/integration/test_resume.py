"""Exactly once across crashes: SIGKILL and SIGINT mid-run, injected faults, then resume.

These drive the real `bulkload run` in a subprocess against an emulator on its own thread, so the
loader can be killed while the service keeps its memory of what was created.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger import prev_path, read_outcomes
from bulkload.records import Status
from tests.integration.helpers import simple_rows, write_csv

pytestmark = pytest.mark.slow


def start_loader(input_path: Path, url: str, *extra: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "bulkload",
        "run",
        str(input_path),
        "--endpoint-url",
        url,
        "--instance-id",
        DEFAULT_INSTANCE_ID,
        "--flow-id",
        DEFAULT_FLOW_ID,
        "--rate",
        "150",
        "--burst",
        "20",
        "--max-attempts",
        "30",
        "--progress",
        "none",
        *extra,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())


def wait_for_tasks(
    emulator: ThreadedEmulator, count: int, proc: subprocess.Popen[bytes], limit: float
) -> None:
    deadline = time.monotonic() + limit
    while len(emulator.snapshot().tasks) < count and proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"the loader made fewer than {count} tasks in {limit}s")
        time.sleep(0.02)


def assert_exactly_once(emulator: ThreadedEmulator, results: Path, rows: int) -> None:
    snap = emulator.snapshot()
    outcomes = list(read_outcomes(results))
    assert len(snap.tasks) == rows
    assert len({t.client_token for t in snap.tasks}) == rows
    assert [o.row for o in outcomes] == list(range(1, rows + 1))
    assert all(o.status is Status.CREATED for o in outcomes)
    assert all(o.client_token for o in outcomes)
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in snap.tasks}
    assert {o.client_token for o in outcomes} == {t.client_token for t in snap.tasks}


def test_sigkill_at_random_points_then_resume_creates_each_row_once(tmp_path: Path) -> None:
    rows = 400
    input_path = write_csv(tmp_path / "tasks.csv", simple_rows(rows))
    results = tmp_path / "tasks.results.csv"
    config = EmulatorConfig(
        rate=1000, burst=100, fail_rate=0.05, reset_rate=0.04, drop_after_rate=0.04, seed=11
    )
    chooser = random.Random(2026)
    with ThreadedEmulator(config) as emulator:
        for _ in range(3):
            proc = start_loader(input_path, emulator.endpoint_url)
            already = len(emulator.snapshot().tasks)
            wait_for_tasks(emulator, already + chooser.randint(20, 90), proc, limit=60)
            proc.kill()
            proc.communicate()
        # A tear in the middle of a line, as a kill during a write would leave it.
        if results.exists():
            with results.open("a", encoding="utf-8") as handle:
                handle.write("999,1000,999,crea")
        final = start_loader(input_path, emulator.endpoint_url)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()
        assert_exactly_once(emulator, results, rows)
        counts = emulator.snapshot().counts
        assert (
            counts.get("dropped_after", 0) + counts.get("reset_before", 0) + counts.get("internal_error", 0)
            > 0
        )
    assert not prev_path(results).exists()
    assert b"created 400" in out


def test_sigint_stops_gracefully_with_130_and_the_next_run_finishes(tmp_path: Path) -> None:
    rows = 300
    input_path = write_csv(tmp_path / "tasks.csv", simple_rows(rows))
    results = tmp_path / "tasks.results.csv"
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=100, latency_ms=5, seed=5)) as emulator:
        proc = start_loader(input_path, emulator.endpoint_url)
        wait_for_tasks(emulator, 60, proc, limit=60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err.decode()
        assert b"stopping" in err
        written = list(read_outcomes(results))
        assert 0 < len(written) < rows
        assert all(o.status is Status.CREATED for o in written)

        final = start_loader(input_path, emulator.endpoint_url)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()
        assert_exactly_once(emulator, results, rows)


def test_a_stop_releases_the_rows_waiting_for_their_turn_at_once(tmp_path: Path) -> None:
    """At 1 request/s a dozen rows queue at the in-flight gate and the limiter; a stop must not make each
    wait its turn (a second apiece) only to give up: it returns as soon as the calls in flight finish."""
    input_path = write_csv(tmp_path / "tasks.csv", simple_rows(100))
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=100)) as emulator:
        proc = start_loader(input_path, emulator.endpoint_url, "--rate", "1", "--burst", "1")
        wait_for_tasks(emulator, 2, proc, limit=30)
        proc.send_signal(signal.SIGINT)
        stopped_at = time.monotonic()
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - stopped_at
        assert proc.returncode == 130, err.decode()
        # Before the fix this took about 11 s: one second per waiting worker.
        assert took < 4, f"the stop took {took:.1f}s"
        created = len(emulator.snapshot().tasks)
        assert len(list(read_outcomes(tmp_path / "tasks.results.csv"))) == created
        assert created < 10


def test_a_second_sigint_stops_at_once_without_waiting_for_the_calls_in_flight(tmp_path: Path) -> None:
    rows = 30
    input_path = write_csv(tmp_path / "tasks.csv", simple_rows(rows))
    results = tmp_path / "tasks.results.csv"
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=100, latency_ms=6000)) as emulator:
        proc = start_loader(input_path, emulator.endpoint_url)
        time.sleep(
            3
        )  # start-up, then every row sent at once (150/s, burst 20): all in flight, answers 6 s away
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert proc.poll() is None  # the first Ctrl-C waits for the calls in flight
        proc.send_signal(signal.SIGINT)
        second_at = time.monotonic()
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - second_at
        assert proc.returncode == 130, err.decode()
        assert b"Traceback" not in err
        assert b"interrupted: the results written so far are saved" in err
        assert took < 3, f"the second Ctrl-C took {took:.1f}s"  # before the answers (6 s) came
        assert not results.exists() or not list(read_outcomes(results))  # no answer came: nothing recorded

        # The service made them all anyway; the re-run's tokens find them and create nothing new.
        final = start_loader(input_path, emulator.endpoint_url)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()
        assert_exactly_once(emulator, results, rows)
