"""`bulkload.stop` and `bulkload.astop`: a stop through `import bulkload` alone, reaching the service the
run reached (its job file), or another client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import bulkload
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.ledger import read_outcomes
from tests.conftest import MakeClient, MakeEmulator
from tests.integration.helpers import run, settings_for, simple_rows, write_csv


async def test_astop_reaches_the_service_the_run_reached_and_takes_a_file_of_keys(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(stop_rate=1000, stop_burst=1000)
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(6)))
    await run(settings)
    keys = tmp_path / "keys.txt"
    keys.write_text("2\n5\n", encoding="utf-8")

    summary = await bulkload.astop(settings.results_path, keys=keys, rate=1000, burst=100)

    assert isinstance(summary, bulkload.StopSummary)
    assert (summary.exit_code, summary.counts) == (0, {"stopped": 2})
    by_row = {o.row: o.contact_id for o in read_outcomes(settings.results_path)}
    assert emulator.snapshot().stopped_contact_ids == {by_row[2], by_row[5]}


async def test_astop_with_a_client_of_the_callers_own(
    tmp_path: Path, make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(stop_rate=1000, stop_burst=1000)
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(3)))
    await run(settings)
    client = await make_connect_client(emulator.endpoint_url)
    opened: list[bulkload.ClientSettings] = []

    @contextlib.asynccontextmanager
    async def factory(client_settings: bulkload.ClientSettings) -> AsyncIterator[Any]:
        opened.append(client_settings)
        yield client

    summary = await bulkload.astop(
        str(settings.results_path), rate=1000, burst=100, region="eu-west-2", client_factory=factory
    )

    assert summary.counts == {"stopped": 3}
    assert opened[0].region == "eu-west-2"  # given on top of the run's endpoint
    assert opened[0].endpoint_url == emulator.endpoint_url


async def test_keys_must_be_keys_or_a_path_not_one_string(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="keys"):
        await bulkload.astop(tmp_path / "r.csv", keys="T-1")
    with pytest.raises(bulkload.ConfigError, match="rate"):
        await bulkload.astop(tmp_path / "r.csv", rate=0)


async def test_results_in_s3_are_refused() -> None:
    with pytest.raises(
        bulkload.ResultsFileError, match="is in S3: bulkload stop works only on a results file"
    ):
        await bulkload.astop("s3://ledgers/tasks.results.csv")


def test_stop_runs_in_a_loop_of_its_own(tmp_path: Path) -> None:
    config = EmulatorConfig(rate=1000, burst=100, stop_rate=1000, stop_burst=100)
    with ThreadedEmulator(config) as emulator:
        settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(4)))  # type: ignore[arg-type]
        asyncio.run(run(settings))

        dry = bulkload.stop(settings.results_path, dry_run=True)
        summary = bulkload.stop(settings.results_path, rate=1000, burst=100)

        assert (dry.to_stop, dry.sent) == (4, 0)
        assert (summary.exit_code, summary.counts) == (0, {"stopped": 4})
        assert emulator.snapshot().active_tasks == 0
