"""Undoing a load end to end: a job creates tasks, a stop ends them, with the real aioboto3 client over HTTP
against the emulator on loopback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bulkload.connect.client import ClientSettings
from bulkload.emulator import ENDED_BY_AGENT, ENDED_BY_API, Emulator
from bulkload.errors import ResultsFileError, ServiceAccessError
from bulkload.ledger import ResultsLock, read_outcomes, stop_ledger_path
from bulkload.records import Status
from bulkload.undo import StopJob, StopSettings, StopStatus, StopSummary
from bulkload.undo.ledger import read_stop_ledger
from tests.conftest import MakeEmulator
from tests.integration.helpers import FAST_POOL, no_sleep, run, settings_for, simple_rows, write_csv


@pytest.fixture
async def emulator(make_emulator: MakeEmulator) -> Emulator:
    """An emulator whose StopContact quota no test waits on."""
    return await make_emulator(stop_rate=1000, stop_burst=1000)


async def load(tmp_path: Path, emulator: Emulator, rows: list[dict[str, str]]) -> Path:
    """Run a job of `rows` against `emulator`; return its results file."""
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", rows))
    await run(settings)
    return settings.results_path


def stop_settings(emulator: Emulator, results: Path, **changes: Any) -> StopSettings:
    client = ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1")
    return replace(StopSettings(results=results, pool=FAST_POOL, client=client), **changes)


async def stop(emulator: Emulator, results: Path, **changes: Any) -> StopSummary:
    return await StopJob(stop_settings(emulator, results, **changes), sleep=no_sleep).run()


def ledger_statuses(results: Path) -> dict[str, StopStatus]:
    return {cid: o.status for cid, o in read_stop_ledger(stop_ledger_path(results)).items()}


def scheduled_rows(count: int, ahead: set[int]) -> list[dict[str, str]]:
    """`count` rows; those in `ahead` are scheduled for tomorrow."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    return [
        {**row, "ScheduledTime": tomorrow if i in ahead else ""}
        for i, row in enumerate(simple_rows(count), start=1)
    ]


async def test_a_stop_ends_every_created_task_once_and_a_second_stop_sends_nothing(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(30)
    rows[4]["Name"] = ""  # invalid: never created, so nothing to stop
    results = await load(tmp_path, emulator, rows)

    summary = await stop(emulator, results)

    snapshot = emulator.snapshot()
    assert (summary.exit_code, summary.to_stop, summary.counts) == (0, 29, {"stopped": 29})
    assert snapshot.active_tasks == 0
    assert snapshot.stopped_contact_ids == {t.contact_id for t in snapshot.tasks}
    assert set(snapshot.stop_calls.values()) == {1}
    assert set(ledger_statuses(results).values()) == {StopStatus.STOPPED}
    lines = stop_ledger_path(results).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30  # a header and one line per task, in row order, once the stop has finished
    assert [int(line.split(",")[0]) for line in lines[1:]] == [r for r in range(1, 31) if r != 5]

    again = await stop(emulator, results)

    assert (again.exit_code, again.to_stop, again.done_earlier, again.sent) == (0, 0, 29, 0)
    assert sum(emulator.snapshot().stop_counts.values()) == 29


async def test_faults_are_retried_and_every_task_ends_once(tmp_path: Path, emulator: Emulator) -> None:
    results = await load(tmp_path, emulator, simple_rows(200))
    emulator.state.configure(fail_rate=0.1, reset_rate=0.1, drop_after_rate=0.1)

    summary = await stop(emulator, results, pool=replace(FAST_POOL, max_attempts=30))

    snapshot = emulator.snapshot()
    assert summary.exit_code == 0
    assert snapshot.stopped_contact_ids == {t.contact_id for t in snapshot.tasks}
    assert all(end.disconnect_reason == ENDED_BY_API for end in snapshot.ended.values())
    # A task is stopped more than once only where the answer to its stop was dropped: the retry is told
    # it has ended, and the ledger says stopped, since that stop ended it.
    lost = snapshot.stop_counts["dropped_after"]
    assert lost > 0
    assert sum(calls - 1 for calls in snapshot.stop_calls.values()) == lost
    assert snapshot.stop_counts["invalid_request"] == lost
    assert set(ledger_statuses(results).values()) == {StopStatus.STOPPED}
    assert summary.counts == {"stopped": 200}


async def test_keys_stop_exactly_the_listed_rows(tmp_path: Path, emulator: Emulator) -> None:
    results = await load(tmp_path, emulator, simple_rows(10))
    by_row = {o.row: o.contact_id for o in read_outcomes(results)}

    summary = await stop(emulator, results, keys=frozenset({"3", "7"}))

    assert (summary.exit_code, summary.to_stop, summary.selected) == (0, 2, 2)
    assert emulator.snapshot().stopped_contact_ids == {by_row[3], by_row[7]}
    assert set(ledger_statuses(results)) == {by_row[3], by_row[7]}


async def test_only_scheduled_stops_the_tasks_scheduled_ahead(tmp_path: Path, emulator: Emulator) -> None:
    results = await load(tmp_path, emulator, scheduled_rows(8, ahead={2, 5}))
    outcomes = {o.row: o for o in read_outcomes(results)}
    assert outcomes[2].scheduled_time is not None
    assert outcomes[1].scheduled_time is None

    summary = await stop(emulator, results, only_scheduled=True)

    assert (summary.to_stop, summary.not_scheduled, summary.exit_code) == (2, 6, 0)
    assert emulator.snapshot().stopped_contact_ids == {outcomes[2].contact_id, outcomes[5].contact_id}


async def test_a_dry_run_sends_nothing_and_writes_nothing(tmp_path: Path, emulator: Emulator) -> None:
    results = await load(tmp_path, emulator, simple_rows(5))

    summary = await stop(emulator, results, dry_run=True)

    assert (summary.dry_run, summary.to_stop, summary.sent, summary.exit_code) == (True, 5, 0, 0)
    assert emulator.snapshot().stop_counts == {}
    assert not stop_ledger_path(results).exists()


async def test_a_task_an_agent_ended_is_already_ended(tmp_path: Path, emulator: Emulator) -> None:
    results = await load(tmp_path, emulator, simple_rows(4))
    first = next(iter(read_outcomes(results))).contact_id
    emulator.state.end_tasks(contact_ids=[first])

    summary = await stop(emulator, results)

    assert (summary.exit_code, summary.counts) == (0, {"stopped": 3, "already-ended": 1})
    assert ledger_statuses(results)[first] is StopStatus.ALREADY_ENDED
    assert emulator.snapshot().ended[first].disconnect_reason == ENDED_BY_AGENT


async def test_a_refused_stop_is_rejected_and_the_next_stop_tries_it_again(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(stop_rate=1000, stop_burst=1000, instance_ids=("i-a", "i-b"))
    results = await load(tmp_path, emulator, [{**row, "InstanceId": "i-a"} for row in simple_rows(3)])
    emulator.state.configure(instance_ids=("i-b",))  # the instance is gone: not its tasks' fault

    summary = await stop(emulator, results)

    assert (summary.exit_code, summary.counts) == (1, {"rejected": 3})
    assert summary.top_errors[0]["code"] == "ResourceNotFoundException"
    emulator.state.configure(instance_ids=("i-a", "i-b"))
    again = await stop(emulator, results)
    assert (again.exit_code, again.to_stop, again.counts) == (0, 3, {"stopped": 3})


async def test_a_caller_without_permission_stops_the_stop_at_the_first_refusal(
    tmp_path: Path, emulator: Emulator
) -> None:
    results = await load(tmp_path, emulator, simple_rows(20))
    emulator.state.configure(denied_access_keys=("testing",))  # the suite's access key

    with pytest.raises(ServiceAccessError, match="connect:StopContact"):
        await stop(emulator, results, pool=replace(FAST_POOL, concurrency=1))
    assert emulator.snapshot().stop_counts == {"unauthorized": 1}
    assert list(ledger_statuses(results).values()).count(StopStatus.REJECTED) == 1

    emulator.state.configure(denied_access_keys=())
    summary = await stop(emulator, results)
    assert (summary.exit_code, summary.to_stop) == (0, 20)


async def test_a_stop_does_not_start_while_a_run_holds_the_results(
    tmp_path: Path, emulator: Emulator
) -> None:
    results = await load(tmp_path, emulator, simple_rows(2))
    with (
        ResultsLock(results),
        pytest.raises(ResultsFileError, match="wait for it to finish, then stop again"),
    ):
        await stop(emulator, results)
    assert emulator.snapshot().stop_counts == {}


async def test_a_rerun_keeps_the_instance_and_schedule_of_the_rows_it_carries_over(
    tmp_path: Path, emulator: Emulator
) -> None:
    input_path = write_csv(tmp_path / "tasks.csv", scheduled_rows(4, ahead={1}))
    settings = settings_for(emulator, input_path)
    _, first = await run(settings)
    _, second = await run(settings)  # every row carried over from the results file

    assert second == first
    assert {o.instance_id for o in second} == {emulator.config.instance_ids[0]}
    assert [o.scheduled_time is not None for o in second] == [True, False, False, False]
    assert all(o.status is Status.CREATED for o in second)
