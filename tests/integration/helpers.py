"""Helpers for pipeline tests: write an input, run a job against an emulator, read what happened."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from bulkload.cli import cli
from bulkload.connect.client import ClientSettings
from bulkload.emulator import Emulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.job import Job, JobSettings
from bulkload.ledger import read_outcomes
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.progress import JobSummary
from bulkload.records import RowOutcome

FAST_POOL = PoolSettings(rate=1000, burst=1000, max_attempts=4, backoff_initial=0.001, backoff_max=0.01)


async def no_sleep(_seconds: float) -> None:
    """Backoff without waiting: retry tests take no time."""
    await asyncio.sleep(0)


def invoke_cli(args: Sequence[str]) -> Result:
    """`bulkload ARGS` through click's runner; a traceback in its output fails the test."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def cli_args(endpoint_url: str, *extra: str) -> list[str]:
    """`bulkload run` options for the emulator at `endpoint_url`: its instance and flow, a rate no test
    waits on, no progress display; `extra` after them (a later option wins)."""
    return [
        "--endpoint-url",
        endpoint_url,
        "--region",
        "us-east-1",
        "--instance-id",
        DEFAULT_INSTANCE_ID,
        "--flow-id",
        DEFAULT_FLOW_ID,
        "--rate",
        "1000",
        "--burst",
        "100",
        "--progress",
        "none",
        *extra,
    ]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as a CSV file; a column missing from a row is an empty cell."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        fields = list(dict.fromkeys(name for row in rows for name in row))
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def simple_rows(count: int, **extra: str) -> list[dict[str, str]]:
    """`count` valid rows with a Name, a Description and one attribute."""
    return [
        {
            "Name": f"Task {i}",
            "Description": f"Call customer {i:05d}",
            "Attributes.customer": f"{i:05d}",
            **extra,
        }
        for i in range(1, count + 1)
    ]


def settings_for(emulator: Emulator, input_path: Path, **changes: Any) -> JobSettings:
    """Job settings that reach `emulator` over HTTP with the real aioboto3 client."""
    mapping = changes.pop("mapping", MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID))
    base = JobSettings(
        input=input_path,
        mapping=mapping,
        pool=changes.pop("pool", FAST_POOL),
        client=ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1"),
    )
    return replace(base, **changes)


async def run(settings: JobSettings) -> tuple[JobSummary, list[RowOutcome]]:
    """Run a job to the end and read its results file back."""
    summary = await Job(settings, sleep=no_sleep).run()
    return summary, list(read_outcomes(settings.results_path))
