"""Watching and stopping `bulkload.load`: progress snapshots or the CLI's bar; Ctrl-C, a cancelled
`aload` and a failing progress callback each stop the job cleanly (the calls in flight finish, the
results are saved), and the next call continues it: every row created exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bulkload
from bulkload.emulator import ThreadedEmulator
from bulkload.ledger import read_outcomes
from tests.conftest import MakeEmulator
from tests.integration.api_helpers import FAST, created_once, local, mixed_frame, options

REPO = Path(__file__).resolve().parents[2]
ROWS = 200

# `load` in a process of its own, at 50 rows a second, saying how far it got every 0.1 s.
CTRL_C_SCRIPT = """
import sys

import bulkload
from tests.integration.api_helpers import mixed_frame, options

bulkload.load(
    mixed_frame(int(sys.argv[3])),
    results=sys.argv[2],
    progress=lambda snapshot: print(snapshot.rows_done, flush=True),
    progress_interval=0.1,
    **options(sys.argv[1], key="ticket", rate=50, burst=1),
)
"""


@pytest.fixture
def threaded() -> Iterator[ThreadedEmulator]:
    """An emulator on its own thread: `load` runs its own event loop in the test's thread."""
    with ThreadedEmulator(FAST) as emulator:
        yield emulator


def created_in(results: Path) -> int:
    """How many rows the results file records as created."""
    return sum(outcome.status is bulkload.Status.CREATED for outcome in read_outcomes(results))


def continue_job(results: Path, emulator_url: str) -> bulkload.LoadSummary:
    """Load the same frame into the same results again, to the end."""
    return bulkload.load(mixed_frame(ROWS), results=results, **options(emulator_url, key="ticket"))


def test_a_progress_callback_receives_snapshots(tmp_path: Path, threaded: ThreadedEmulator) -> None:
    seen: list[bulkload.ProgressSnapshot] = []
    bulkload.load(
        mixed_frame(ROWS),
        results=tmp_path / "r.csv",
        progress=seen.append,
        progress_interval=0.1,
        **options(threaded.endpoint_url, key="ticket", rate=200, burst=1),
    )
    assert len(seen) >= 3
    done = [snapshot.rows_done for snapshot in seen]
    assert done == sorted(done)
    last = seen[-1]  # when the job ends
    assert (last.rows_done, last.total_rows, last.counts, last.sent) == (ROWS, ROWS, {"created": ROWS}, ROWS)
    assert last.fraction == 1.0
    assert last.elapsed >= seen[0].elapsed > 0
    with pytest.raises(bulkload.ConfigError, match=r"progress_interval must be at least 0\.1 seconds, not 0"):
        bulkload.load(mixed_frame(1), results=tmp_path / "r.csv", progress=True, progress_interval=0)


def test_progress_true_shows_the_clis_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bulkload.load(mixed_frame(30), results=tmp_path / "r.csv", progress=True, **local(key="ticket"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "load" in captured.err
    assert "created 30, invalid 0, rejected 0, failed 0" in captured.err


def test_a_failing_callback_stops_the_job_and_raises_its_error(
    tmp_path: Path, threaded: ThreadedEmulator
) -> None:
    def report(snapshot: bulkload.ProgressSnapshot) -> None:
        if snapshot.rows_done >= 20:
            raise ValueError("the dashboard is down")

    results = tmp_path / "r.csv"
    with pytest.raises(ValueError, match="the dashboard is down") as caught:
        bulkload.load(
            mixed_frame(ROWS),
            results=results,
            progress=report,
            progress_interval=0.1,
            **options(threaded.endpoint_url, key="ticket", rate=100, burst=1),
        )
    assert "bulkload stopped after" in caught.value.__notes__[0]
    before = created_in(results)
    assert 20 <= before < ROWS
    assert len(threaded.snapshot().tasks) == before  # the calls in flight finished and were recorded
    summary = continue_job(results, threaded.endpoint_url)
    assert (summary.counts, summary.sent, summary.carried_over) == ({"created": ROWS}, ROWS - before, before)
    assert created_once(threaded.snapshot(), ROWS)


async def test_cancelling_aload_stops_the_job_cleanly(tmp_path: Path, make_emulator: MakeEmulator) -> None:
    emulator = await make_emulator(FAST)
    results = tmp_path / "r.csv"
    reached = asyncio.Event()

    def report(snapshot: bulkload.ProgressSnapshot) -> None:
        if snapshot.rows_done >= 20:
            reached.set()

    task = asyncio.create_task(
        bulkload.aload(
            mixed_frame(ROWS),
            results=results,
            progress=report,
            progress_interval=0.1,
            **options(emulator.endpoint_url, key="ticket", rate=100, burst=1),
        )
    )
    await asyncio.wait_for(reached.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as caught:
        await task
    assert "call load again with the same data and results to continue" in caught.value.__notes__[0]
    before = created_in(results)
    assert 20 <= before < ROWS
    assert len(emulator.snapshot().tasks) == before
    summary = await bulkload.aload(
        mixed_frame(ROWS), results=results, **options(emulator.endpoint_url, key="ticket")
    )
    assert (summary.counts, summary.sent) == ({"created": ROWS}, ROWS - before)
    assert created_once(emulator.snapshot(), ROWS)


def test_ctrl_c_stops_load_cleanly_and_the_next_call_continues(
    tmp_path: Path, threaded: ThreadedEmulator
) -> None:
    results = tmp_path / "r.csv"
    command = [sys.executable, "-c", CTRL_C_SCRIPT, threaded.endpoint_url, str(results), str(ROWS)]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if int(line) >= 20:
                    break
            proc.send_signal(signal.SIGINT)
            _, errors = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == -signal.SIGINT, errors
    assert "KeyboardInterrupt" in errors
    assert "bulkload stopped after" in errors
    assert "the results are saved in" in errors
    before = created_in(results)
    assert 20 <= before < ROWS
    assert len(threaded.snapshot().tasks) == before
    summary = continue_job(results, threaded.endpoint_url)
    assert (summary.counts, summary.sent) == ({"created": ROWS}, ROWS - before)
    assert created_once(threaded.snapshot(), ROWS)
