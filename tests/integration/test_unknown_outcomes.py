"""A task that may exist is never made twice, whatever happens to its row between runs.

An attempt whose answer never came (a dropped connection, a stop, a kill) may have created a task under
the row's token. These tests edit, break and fix such rows between runs, and count the service's tasks
per row: each must stay at one. Each failed before its fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bulkload.connect.client import ClientSettings
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.job import Job, JobSettings
from bulkload.ledger import read_outcomes, sends_path
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.prepare import EDITED_AFTER_UNKNOWN
from bulkload.records import Status
from tests.integration.helpers import cli_args, invoke_cli, simple_rows, write_csv

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cli_workdir")]


@pytest.fixture
def dropping() -> Iterator[ThreadedEmulator]:
    """Every task is created and its answer dropped, until the test turns that off."""
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, drop_after_rate=1.0, seed=1)) as emulator:
        yield emulator


def args(emulator: ThreadedEmulator, *extra: str) -> list[str]:
    return cli_args(emulator.endpoint_url, "--max-attempts", "2", *extra)


def tasks_per_row(emulator: ThreadedEmulator) -> Counter[str]:
    """Tasks created per row, told apart by the rows' `Attributes.customer` values."""
    return Counter(t.params["Attributes"]["customer"] for t in emulator.snapshot().tasks)


def outcome(row: int) -> object:
    return next(o for o in read_outcomes(Path("tasks.results.csv")) if o.row == row)


def test_a_failed_row_made_invalid_then_fixed_differently_is_held_not_sent_again(
    dropping: ThreadedEmulator,
) -> None:
    rows = simple_rows(3)
    write_csv(Path("tasks.csv"), rows)
    assert invoke_cli(["run", "tasks.csv", *args(dropping)]).exit_code == 1  # all failed; all 3 tasks exist
    every_once = Counter(row["Attributes.customer"] for row in rows)
    assert tasks_per_row(dropping) == every_once
    dropping.state.configure(drop_after_rate=0.0)
    original = rows[0]["Name"]

    rows[0]["Name"] = ""
    write_csv(Path("tasks.csv"), rows)
    invoke_cli(["run", "tasks.csv", *args(dropping)])
    broken = outcome(1)
    assert broken.status is Status.INVALID  # type: ignore[attr-defined]
    assert broken.client_token  # type: ignore[attr-defined]  # the unknown attempt's token is kept

    rows[0]["Name"] = "Fixed, differently"
    write_csv(Path("tasks.csv"), rows)
    held = invoke_cli(["run", "tasks.csv", *args(dropping)])
    assert held.exit_code == 1
    assert outcome(1).error_code == EDITED_AFTER_UNKNOWN  # type: ignore[attr-defined]
    assert max(tasks_per_row(dropping).values()) == 1  # before the fix: row 1 had two tasks

    rows[0]["Name"] = original  # restored: the old token resolves the old attempt
    write_csv(Path("tasks.csv"), rows)
    done = invoke_cli(["run", "tasks.csv", *args(dropping)])
    assert done.exit_code == 0, done.output
    assert tasks_per_row(dropping) == every_once


def test_resend_edited_is_for_its_own_run_only(dropping: ThreadedEmulator) -> None:
    rows = simple_rows(2)
    write_csv(Path("tasks.csv"), rows)
    invoke_cli(["run", "tasks.csv", *args(dropping)])  # both failed, both tasks exist

    rows[0]["Name"] = "Edited on purpose"
    write_csv(Path("tasks.csv"), rows)
    accepted = invoke_cli(["run", "tasks.csv", *args(dropping, "--resend-edited")])  # answers still dropped
    assert accepted.exit_code == 1
    assert tasks_per_row(dropping)[rows[0]["Attributes.customer"]] == 2  # the risk accepted, for row 1
    dropping.state.configure(drop_after_rate=0.0)

    # Later, row 2 (still unknown) is edited, and a plain retry runs: it must not inherit that choice.
    rows[1]["Name"] = "Edited later"
    write_csv(Path("tasks.csv"), rows)
    again = invoke_cli(["retry", "tasks.results.csv", "--progress", "none"])
    assert again.exit_code == 1
    assert outcome(2).error_code == EDITED_AFTER_UNKNOWN  # type: ignore[attr-defined]
    assert tasks_per_row(dropping)[rows[1]["Attributes.customer"]] == 1  # before the fix: 2


def test_a_stop_records_rows_whose_attempt_went_unanswered_so_an_edit_cannot_duplicate_them(
    tmp_path: Path,
) -> None:
    rows = simple_rows(150)
    write_csv(Path("tasks.csv"), rows)
    config = EmulatorConfig(rate=1000, burst=1000, drop_after_rate=0.3, seed=1)
    with ThreadedEmulator(config) as emulator:
        command = [sys.executable, "-m", "bulkload", "run", "tasks.csv", *args(emulator)]
        command[command.index("--rate") + 1] = "20"
        command[command.index("--max-attempts") + 1] = "30"
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err.decode()
        recorded = {o.key for o in read_outcomes(tmp_path / "tasks.results.csv")}
        made = emulator.snapshot().tasks
        # Every row that reached the service has a line: created, or failed with its token kept.
        assert len(made) >= 1
        assert len(recorded) >= len({t.client_token for t in made})
        unknown = [o for o in read_outcomes(tmp_path / "tasks.results.csv") if o.status is Status.FAILED]
        assert unknown, "the stop came while some rows waited to retry"
        assert all(o.client_token and o.request_hash for o in unknown)

        emulator.state.configure(drop_after_rate=0.0)
        for row in rows:
            row["Description"] = row["Description"].upper()  # every row edited after the stop
        write_csv(tmp_path / "tasks.csv", rows)
        final = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=False)
        assert final.returncode == 1, final.stderr.decode()  # the unknown ones are held, as they must be
        assert max(tasks_per_row(emulator).values()) == 1  # before the fix: the unknown rows twice


def test_a_kill_before_the_first_answer_keeps_the_job_id_even_if_the_input_changes(tmp_path: Path) -> None:
    rows = simple_rows(20)
    write_csv(Path("tasks.csv"), rows)
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, latency_ms=3000)) as emulator:
        command = [sys.executable, "-m", "bulkload", "run", "tasks.csv", *args(emulator)]
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.5)  # every request sent, no answer yet (3 s away)
        proc.kill()
        proc.communicate()
        time.sleep(3)  # the service finishes creating them all the same
        assert len(emulator.snapshot().tasks) == 20
        assert (
            not [*read_outcomes(tmp_path / "tasks.results.csv")]
            if (tmp_path / "tasks.results.csv").exists()
            else True
        )

        write_csv(tmp_path / "tasks.csv", [*rows, *simple_rows(21)[20:]])  # one row appended
        emulator.state.configure(latency_ms=0.0)
        final = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=False)
        assert final.returncode == 0, final.stderr.decode()
        assert len(emulator.snapshot().tasks) == 21  # before the fix: 41, the first 20 twice
        assert max(tasks_per_row(emulator).values()) == 1


@dataclass
class Service:
    """Creates one task per ClientToken, as the service does; rows in `in_flight` never get their answer."""

    in_flight: set[str] = field(default_factory=set)
    tasks: dict[str, str] = field(default_factory=dict)  # token -> ContactId
    descriptions: list[tuple[str, str]] = field(default_factory=list)  # (Attributes.customer, Description)
    calls: int = 0
    all_called: asyncio.Event = field(default_factory=asyncio.Event)

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        self.calls += 1
        customer = kwargs["Attributes"]["customer"]
        if kwargs["ClientToken"] not in self.tasks:
            self.tasks[kwargs["ClientToken"]] = f"c-{len(self.tasks) + 1}"
            self.descriptions.append((customer, kwargs["Description"]))
        if self.calls == 6:
            self.all_called.set()
        if customer in self.in_flight:
            await asyncio.Event().wait()  # made, and the answer never comes: the process stops first
        return {"ContactId": self.tasks[kwargs["ClientToken"]]}

    def factory(self, _settings: ClientSettings) -> AbstractAsyncContextManager[Any]:
        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[Service]:
            yield self

        return opened()


async def test_a_row_sent_when_the_run_stopped_is_held_if_edited_and_resolved_if_not(tmp_path: Path) -> None:
    rows = simple_rows(6)
    input_path = write_csv(tmp_path / "tasks.csv", rows)
    settings = JobSettings(
        input=input_path,
        mapping=MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID),
        pool=PoolSettings(rate=1000, burst=100, concurrency=8),
        drain_timeout=0.1,
        preflight=False,  # the fake service answers StartTaskContact alone
    )
    service = Service(in_flight={"00003", "00004"})
    job = Job(settings, client_factory=service.factory)
    running = asyncio.create_task(job.run())
    await asyncio.wait_for(service.all_called.wait(), 30)
    job.request_stop()  # rows 3 and 4 made, their answers lost: as after a kill -9
    assert (await running).interrupted
    results = settings.results_path
    assert {o.row for o in read_outcomes(results)} == {1, 2, 5, 6}
    assert sends_path(results).exists()

    rows[2]["Description"] = "Edited after the stop"
    write_csv(input_path, rows)
    service.in_flight.clear()
    summary = await Job(settings, client_factory=service.factory).run()

    final = {o.row: o for o in read_outcomes(results)}
    assert (final[3].status, final[3].error_code) == (Status.FAILED, EDITED_AFTER_UNKNOWN)
    assert final[4].status is Status.CREATED  # resolved with its token: the task made before the stop
    assert final[4].contact_id == service.tasks[final[4].client_token]
    assert all(final[row].status is Status.CREATED for row in (1, 2, 4, 5, 6))
    assert all(final[row].sent_at for row in range(1, 7))
    assert Counter(customer for customer, _ in service.descriptions) == Counter(
        row["Attributes.customer"] for row in rows
    )  # one task per row: before the record of sends, row 3 had two
    assert summary.exit_code == 1  # row 3 is held
    assert not sends_path(results).exists()  # the run finished: the record is folded in and gone
