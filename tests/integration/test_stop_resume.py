"""Each task stopped once across crashes: `bulkload stop` killed (-9, SIGINT) mid-way, faults injected, then
run again, in a subprocess against an emulator on its own thread that keeps its memory of every task."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulkload.emulator import ENDED_BY_API, EmulatorConfig, ThreadedEmulator
from bulkload.ledger import stop_ledger_path
from bulkload.undo.ledger import read_stop_ledger
from bulkload.undo.records import StopStatus
from tests.integration.helpers import run, settings_for, simple_rows, write_csv

pytestmark = pytest.mark.slow


def load(tmp_path: Path, emulator: ThreadedEmulator, rows: int) -> Path:
    """Create `rows` tasks with a job in this process; return the results file."""
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(rows)))  # type: ignore[arg-type]
    summary, _ = asyncio.run(run(settings))
    assert summary.counts == {"created": rows}
    return settings.results_path


def start_stop(results: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`bulkload stop RESULTS --yes`; the endpoint comes from the run's job file."""
    command = [sys.executable, "-m", "bulkload", "stop", str(results), "--yes", "--progress", "none"]
    command += ["--rate", "150", "--burst", "20", "--max-attempts", "30", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())


def wait_for_stops(emulator: ThreadedEmulator, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(emulator.snapshot().stopped_contact_ids) < count and proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} tasks were stopped in 60 s")
        time.sleep(0.01)


def test_a_stop_killed_halfway_then_resumed_ends_each_task_once(tmp_path: Path) -> None:
    rows = 1000
    config = EmulatorConfig(rate=1000, burst=100, stop_rate=1000, stop_burst=100, seed=17)
    with ThreadedEmulator(config) as emulator:
        results = load(tmp_path, emulator, rows)
        emulator.state.configure(latency_ms=20, fail_rate=0.05, reset_rate=0.04, drop_after_rate=0.04)

        killed = start_stop(results)
        wait_for_stops(emulator, rows // 2, killed)
        killed.kill()
        killed.communicate()
        assert killed.returncode == -signal.SIGKILL
        in_flight = {
            cid
            for cid, o in read_stop_ledger(stop_ledger_path(results)).items()
            if o.status is StopStatus.SENDING
        }
        with stop_ledger_path(results).open("a", encoding="utf-8") as handle:
            handle.write("999,999,c-torn,i,stopp")  # a line torn by the kill

        resumed = start_stop(results)
        out, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, err.decode()
        assert b"outcomes: stopped " in out

        snapshot = emulator.snapshot()
        contacts = {t.contact_id for t in snapshot.tasks}
        assert len(contacts) == rows
        assert snapshot.active_tasks == 0
        assert set(snapshot.ended) == contacts
        assert all(end.disconnect_reason == ENDED_BY_API for end in snapshot.ended.values())
        assert set(snapshot.stop_calls) == contacts
        # A task is asked more than once only where an answer was lost: dropped by the emulator, or never
        # read because of the kill (its `sending` line is what tells the resumed stop). Each such extra
        # call is told the task has ended; the task was ended once, by the API.
        extra = sum(calls - 1 for calls in snapshot.stop_calls.values())
        assert extra == snapshot.stop_counts.get("invalid_request", 0)
        assert extra <= snapshot.stop_counts.get("dropped_after", 0) + len(in_flight)
        assert snapshot.stop_counts.get("dropped_after", 0) + snapshot.stop_counts.get("reset_before", 0) > 0
        ledger = read_stop_ledger(stop_ledger_path(results))
        assert set(ledger) == contacts
        assert {o.status for o in ledger.values()} == {StopStatus.STOPPED}
        assert len(stop_ledger_path(results).read_text(encoding="utf-8").splitlines()) == rows + 1

        requests = sum(snapshot.stop_counts.values())
        third = start_stop(results)
        out, err = third.communicate(timeout=60)
        assert third.returncode == 0, err.decode()
        assert b"nothing to stop" in out
        assert sum(emulator.snapshot().stop_counts.values()) == requests


def test_sigint_stops_gracefully_with_130_and_the_next_stop_finishes(tmp_path: Path) -> None:
    rows = 300
    config = EmulatorConfig(rate=1000, burst=100, stop_rate=1000, stop_burst=100, seed=5)
    with ThreadedEmulator(config) as emulator:
        results = load(tmp_path, emulator, rows)
        emulator.state.configure(latency_ms=5)

        interrupted = start_stop(results)
        wait_for_stops(emulator, 60, interrupted)
        interrupted.send_signal(signal.SIGINT)
        out, err = interrupted.communicate(timeout=60)
        assert interrupted.returncode == 130, err.decode()
        assert b"stopping" in err
        assert b"interrupted: the stop ledger is saved" in out
        written = read_stop_ledger(stop_ledger_path(results))
        done = {cid for cid, o in written.items() if o.status is StopStatus.STOPPED}
        assert 0 < len(done) < rows
        assert done == emulator.snapshot().stopped_contact_ids

        final = start_stop(results)
        _, err = final.communicate(timeout=60)
        assert final.returncode == 0, err.decode()
        snapshot = emulator.snapshot()
        assert snapshot.active_tasks == 0
        assert set(snapshot.stop_calls.values()) == {1}
