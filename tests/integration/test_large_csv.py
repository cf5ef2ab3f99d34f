"""A large CSV file starts sending before its scan ends; bad bytes found later stop the job cleanly.

Files above `csv_scan._SCAN_INLINE` are scanned in the background so the first request goes out at once.
These tests make every file "large" and hold the scan until the first task exists, which is the worst
case: rows are already created when the scan reports the bad bytes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bulkload.emulator import Emulator
from bulkload.errors import InputError
from bulkload.ledger import read_outcomes
from bulkload.pool import RowSender
from bulkload.records import RowOutcome, Status, TaskRequest
from bulkload.source import csv_scan
from tests.integration.helpers import run, settings_for

ROWS = 400
BAD_ROW = 390  # past the reader's first 1 MiB block


def write_input(path: Path, *, bad: bool) -> Path:
    """About 1.2 MiB of rows (long descriptions); row BAD_ROW holds a byte that is not UTF-8 if `bad`."""
    lines = [b"Name,Description"]
    for i in range(1, ROWS + 1):
        name = b"Task \xff" if bad and i == BAD_ROW else b"Task y"
        lines.append(name + b"%d,%s" % (i, b"x" * 3000))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def scan_held_until_first_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_scan, "_SCAN_INLINE", 0)
    monkeypatch.setattr(csv_scan, "_SCAN_GRACE", 0.0)
    first_task = threading.Event()
    count = csv_scan.CsvScan._count
    send = RowSender.send

    def held(scan: Any) -> int:
        first_task.wait(10)
        return count(scan)

    async def sending(self: RowSender, request: TaskRequest) -> RowOutcome | None:
        outcome = await send(self, request)
        first_task.set()
        return outcome

    monkeypatch.setattr(csv_scan.CsvScan, "_count", held)
    monkeypatch.setattr(RowSender, "send", sending)


@pytest.mark.usefixtures("scan_held_until_first_task")
async def test_bad_bytes_found_after_the_first_tasks_stop_the_job_and_a_fixed_rerun_finishes(
    tmp_path: Path, emulator: Emulator
) -> None:
    path = write_input(tmp_path / "big.csv", bad=True)
    # Without preflight, whose reading of the whole file first would find the bad bytes before sending.
    settings = settings_for(emulator, path, preflight=False)
    with pytest.raises(InputError) as info:
        await run(settings)
    message = str(info.value)
    assert f"{path}: line {BAD_ROW + 1}: the bytes b'\\xff' are not valid utf-8;" in message
    assert f"rows before it are recorded in {settings.results_path}" in message
    assert "nothing after it was sent" in message

    first = list(read_outcomes(settings.results_path))
    tasks = emulator.snapshot().tasks
    assert tasks, "the first rows went out before the scan finished"
    assert {o.contact_id for o in first if o.status is Status.CREATED} == {t.contact_id for t in tasks}
    assert max(o.row for o in first) < BAD_ROW

    write_input(path, bad=False)  # the user fixes the row; the same results file carries on
    summary, outcomes = await run(settings)
    assert summary.exit_code == 0
    assert [o.row for o in outcomes] == list(range(1, ROWS + 1))
    tasks = emulator.snapshot().tasks
    assert len(tasks) == ROWS
    assert len({t.client_token for t in tasks}) == ROWS
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in tasks}


async def test_with_preflight_bad_bytes_deep_in_a_large_file_stop_the_job_before_anything_is_sent(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_scan, "_SCAN_INLINE", 0)
    monkeypatch.setattr(csv_scan, "_SCAN_GRACE", 0.0)
    path = write_input(tmp_path / "big.csv", bad=True)
    settings = settings_for(emulator, path)
    with pytest.raises(InputError) as info:
        await run(settings)
    message = str(info.value)
    assert f"line {BAD_ROW + 1}: the bytes b'\\xff' are not valid utf-8" in message
    assert "rows before it are recorded" not in message
    snapshot = emulator.snapshot()
    assert (snapshot.tasks, snapshot.lookup_counts["DescribeInstance"]) == ((), {})
    assert not settings.results_path.exists()
    assert not settings.results_path.with_name(settings.results_path.name + ".job.json").exists()


async def test_a_large_file_that_is_unreadable_from_the_start_leaves_no_results(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_scan, "_SCAN_INLINE", 0)  # scanned in the background, found in the grace
    path = tmp_path / "big.csv"
    path.write_bytes(b"Name,Description\nTask 1,fine\nTask \xff2,bad\n")
    settings = settings_for(emulator, path)
    with pytest.raises(InputError, match=r"line 3: the bytes b'\\xff' are not valid utf-8"):
        await run(settings)
    assert not emulator.snapshot().tasks
    assert not settings.results_path.exists()
    assert not settings.results_path.with_name(settings.results_path.name + ".job.json").exists()
