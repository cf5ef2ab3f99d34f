"""SIGINT or SIGTERM while `bulkload run` is still starting: exit 130, nothing sent, nothing half-written.

The signals are real and early: the first as soon as the process handles SIGTERM at all (it is then
importing its modules), the second as soon as the job holds its results file's lock (it is then reading
the input's header and opening the ledger, a moment before its first request).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.ledger import ledger_files, lock_path, temporary_path
from tests.integration.helpers import cli_args, simple_rows, write_csv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path("/proc/self/status").exists(), reason="reads a process's signal mask in /proc"
    ),
]
SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])


def handles_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (Python installs none of its own)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


def signal_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], signum: signal.Signals) -> None:
    """Send `signum` the moment `ready()` holds; fail if the run ends or 30 s pass first."""
    deadline = time.monotonic() + 30
    while not ready():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the run never reached the moment to signal it"
        time.sleep(0.001)
    proc.send_signal(signum)


def run_command(emulator: ThreadedEmulator, input_path: Path) -> list[str]:
    return [sys.executable, "-m", "bulkload", "run", str(input_path), *cli_args(emulator.endpoint_url)]


def snapshot(results: Path) -> dict[str, bytes | None]:
    """Every file of the ledger (and its temporary files), None for those absent."""
    paths = [*ledger_files(results), *(temporary_path(p) for p in ledger_files(results))]
    return {p.name: p.read_bytes() if p.exists() else None for p in paths}


@SIGNALS
def test_a_signal_while_the_command_imports_exits_130_with_nothing_written(
    tmp_path: Path, signum: signal.Signals
) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(5))
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000)) as emulator:
        proc = subprocess.Popen(
            run_command(emulator, tmp_path / "tasks.csv"),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        signal_when(proc, lambda: handles_sigterm(proc.pid), signum)
        _, err = proc.communicate(timeout=60)
        assert emulator.snapshot().tasks == ()

    assert proc.returncode == 130, err.decode()
    assert f"{signum.name} while starting: stopped before sending anything" in err.decode()
    assert "Traceback" not in err.decode()
    assert set(snapshot(tmp_path / "tasks.results.csv").values()) == {None}


@SIGNALS
def test_a_signal_while_the_job_opens_its_ledger_exits_130_and_leaves_it_as_it_was(
    tmp_path: Path, signum: signal.Signals
) -> None:
    input_path = tmp_path / "tasks.csv"
    results = tmp_path / "tasks.results.csv"
    rows = simple_rows(40_000)  # a few MB: reading it is part of the start-up
    write_csv(input_path, rows[:5])
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000)) as emulator:
        command = run_command(emulator, input_path)
        first = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=False)
        assert first.returncode == 0, first.stderr.decode()
        before = snapshot(results)
        write_csv(input_path, rows)  # 39,995 rows more to send

        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        signal_when(proc, lock_path(results).exists, signum)
        _, err = proc.communicate(timeout=60)
        made = len(emulator.snapshot().tasks)

    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
    assert made == 5  # the first run's
    assert snapshot(results) == before
