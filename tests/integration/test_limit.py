"""`limit`: a canary run takes the first rows not created yet and stops; the next run continues, and the
outcomes of rows past the stop (from earlier runs) are never lost."""

from __future__ import annotations

from pathlib import Path

from bulkload.emulator import DEFAULT_INSTANCE_ID, Emulator
from bulkload.ledger import prev_path
from bulkload.records import Status
from tests.integration.helpers import run, settings_for, simple_rows, write_csv

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


async def test_a_limit_of_ten_creates_ten_tasks_and_the_next_run_the_rest(
    tmp_path: Path, emulator: Emulator
) -> None:
    path = write_csv(tmp_path / "tasks.csv", simple_rows(30))

    first, outcomes = await run(settings_for(emulator, path, limit=10))

    assert (first.exit_code, first.counts, first.sent) == (0, {"created": 10}, 10)
    assert (first.limit, first.limit_reached, first.input_rows) == (10, True, 30)
    assert [o.row for o in outcomes] == list(range(1, 11))
    assert len(emulator.snapshot().tasks) == 10

    second, outcomes = await run(settings_for(emulator, path))

    assert (second.exit_code, second.sent, second.carried_over, second.limit_reached) == (0, 20, 10, False)
    assert [o.row for o in outcomes] == list(range(1, 31))
    tasks = emulator.snapshot().tasks
    assert len(tasks) == 30
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in tasks}


async def test_a_limit_counts_rows_not_created_and_its_exit_code_says_whether_they_were(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(10)
    rows[1]["Name"] = ""
    path = write_csv(tmp_path / "tasks.csv", rows)

    summary, outcomes = await run(settings_for(emulator, path, limit=3))

    assert [o.status for o in outcomes] == [Status.CREATED, Status.INVALID, Status.CREATED]
    assert (summary.exit_code, summary.sent, summary.limit_reached) == (1, 2, True)


async def test_a_limited_run_keeps_the_outcomes_of_the_rows_it_did_not_reach(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(30)
    for row in rows[14:20]:
        row["Name"] = ""  # rows 15-20 invalid
    path = write_csv(tmp_path / "tasks.csv", rows)
    await run(settings_for(emulator, path))  # 24 created, 6 invalid
    for n, row in enumerate(rows[14:20], start=15):
        row["Name"] = f"Fixed {n}"
    write_csv(path, rows)

    limited, outcomes = await run(settings_for(emulator, path, limit=3))

    # Rows 1-14 carried over, 15-17 sent; it stopped before row 18, whose outcome stays in the ledger.
    assert (limited.exit_code, limited.sent, limited.carried_over) == (0, 3, 14)
    assert [o.row for o in outcomes] == list(range(1, 18))
    assert prev_path(settings_for(emulator, path).results_path).exists()

    final, outcomes = await run(settings_for(emulator, path))

    assert (final.exit_code, final.sent, final.carried_over) == (0, 3, 27)
    assert [o.status for o in outcomes] == [Status.CREATED] * 30
    assert len(emulator.snapshot().tasks) == 30


async def test_preflight_checks_only_the_rows_a_limited_run_takes(tmp_path: Path, emulator: Emulator) -> None:
    rows = simple_rows(20)
    for row in rows[10:]:
        row["ContactFlowId"] = UNKNOWN  # past the limit
    path = write_csv(tmp_path / "tasks.csv", rows)

    summary, _ = await run(settings_for(emulator, path, limit=10))

    assert (summary.exit_code, summary.counts) == (0, {"created": 10})
    lookups = emulator.snapshot().lookup_counts
    assert lookups["DescribeInstance"] == {"found": 1}
    assert lookups["DescribeContactFlow"] == {"found": 1}  # the unknown flow was not reached
    assert DEFAULT_INSTANCE_ID in {t.instance_id for t in emulator.snapshot().tasks}
