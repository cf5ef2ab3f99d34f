"""Job-wide mistakes through the real CLI: preflight, the breakers, an unreachable endpoint, missing
credentials, `validate --online` and a `--limit` canary, each against a `ThreadedEmulator` (or a closed
port on loopback), so what was sent can be counted."""

from __future__ import annotations

import functools
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkload import options as load_options
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger import ledger_files, read_outcomes
from bulkload.pool import PoolSettings
from bulkload.records import Status
from tests.integration.helpers import cli_args, invoke_cli, simple_rows, write_csv

pytestmark = pytest.mark.usefixtures("cli_workdir")

UNKNOWN = "00000000-0000-4000-8000-00000000dead"
RESULTS = Path("tasks.results.csv")


@pytest.fixture
def emulator() -> Iterator[ThreadedEmulator]:
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, seed=1)) as running:
        yield running


def left_behind() -> list[str]:
    return [path.name for path in ledger_files(RESULTS) if path.exists()]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_an_unknown_flow_sends_nothing_and_exits_2_with_one_line_naming_it(
    emulator: ThreadedEmulator,
) -> None:
    write_csv(Path("tasks.csv"), simple_rows(300))

    result = invoke_cli(["run", "tasks.csv", *cli_args(emulator.endpoint_url, "--flow-id", UNKNOWN)])

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: nothing was sent, as no row can be created: ContactFlowId: contact flow {UNKNOWN!r} does not "
        f"exist in instance {DEFAULT_INSTANCE_ID!r} (DescribeContactFlow answered ResourceNotFoundException)"
    ]
    assert emulator.snapshot().counts == {}
    assert left_behind() == []


def test_without_preflight_an_unknown_flow_costs_at_most_twenty_calls(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(300))
    args = cli_args(emulator.endpoint_url, "--flow-id", UNKNOWN, "--no-preflight")

    result = invoke_cli(["run", "tasks.csv", *args])

    assert result.exit_code == 1
    assert emulator.snapshot().counts == {"not_found": 20}
    assert "sent 20 rows this run, 0 created earlier" in result.stdout
    outcomes = list(read_outcomes(RESULTS))
    assert [o.status for o in outcomes] == [Status.REJECTED] * 300
    assert sum(o.attempts == 0 for o in outcomes) == 280


def test_a_lower_max_consecutive_rejects_stops_sooner_and_zero_sends_every_row(
    emulator: ThreadedEmulator,
) -> None:
    write_csv(Path("tasks.csv"), simple_rows(30))
    args = cli_args(emulator.endpoint_url, "--flow-id", UNKNOWN, "--no-preflight")

    invoke_cli(["run", "tasks.csv", *args, "--max-consecutive-rejects", "3"])
    assert emulator.snapshot().counts == {"not_found": 3}

    invoke_cli(
        ["retry", str(RESULTS), "--no-preflight", "--max-consecutive-rejects", "0", "--progress", "none"]
    )
    assert emulator.snapshot().counts == {"not_found": 3 + 30}  # every row of the file sent again


def test_an_unreachable_endpoint_exits_2_naming_it_with_nothing_left_behind() -> None:
    endpoint = closed_port_url()
    write_csv(Path("tasks.csv"), simple_rows(300))
    started = time.monotonic()

    result = invoke_cli(["run", "tasks.csv", *cli_args(endpoint)])

    assert time.monotonic() - started < 40
    assert result.exit_code == 2
    (line,) = error_lines(result.stderr)
    assert line.startswith(f"error: cannot reach {endpoint}: no call was answered (ConnectionError")
    assert left_behind() == []


def test_without_preflight_an_unreachable_endpoint_exits_2_with_the_rows_sent_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI's pool (built by the options' conversion) with the unreachable time cut from 30 s to 2 s, so
    # the test does not wait it out.
    monkeypatch.setattr(load_options, "PoolSettings", functools.partial(PoolSettings, unreachable_after=2.0))
    endpoint = closed_port_url()
    write_csv(Path("tasks.csv"), simple_rows(300))
    started = time.monotonic()

    result = invoke_cli(["run", "tasks.csv", *cli_args(endpoint, "--no-preflight")])

    assert time.monotonic() - started < 40
    assert result.exit_code == 2
    (line,) = error_lines(result.stderr)
    assert line.startswith(f"error: cannot reach {endpoint}: no call was answered in 2 s (ConnectionError")
    recorded = list(read_outcomes(RESULTS))
    assert recorded
    assert {o.status for o in recorded} == {Status.FAILED}


@pytest.mark.parametrize("preflight", ["--preflight", "--no-preflight"])
def test_missing_credentials_are_one_line_and_nothing_is_recorded(
    emulator: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch, preflight: str
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    write_csv(Path("tasks.csv"), simple_rows(20))

    result = invoke_cli(["run", "tasks.csv", *cli_args(emulator.endpoint_url, preflight)])

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: AWS credentials are missing or incomplete (Unable to locate credentials)")
    assert left_behind() == []
    assert emulator.snapshot().counts == {}


def test_validate_online_checks_the_ids_and_sends_nothing(emulator: ThreadedEmulator) -> None:
    rows = simple_rows(3)
    rows[1]["ContactFlowId"] = UNKNOWN
    write_csv(Path("tasks.csv"), rows)
    online = ["--online", "--endpoint-url", emulator.endpoint_url, "--region", "us-east-1"]
    mapping = ["--instance-id", DEFAULT_INSTANCE_ID, "--flow-id", DEFAULT_FLOW_ID, "--progress", "none"]

    offline = invoke_cli(["validate", "tasks.csv", *mapping, "--flow-id", UNKNOWN])
    some = invoke_cli(["validate", "tasks.csv", *mapping, *online])
    every = invoke_cli(["validate", "tasks.csv", *mapping, *online, "--flow-id", UNKNOWN])

    assert offline.exit_code == 0
    assert some.exit_code == 1
    assert "outcomes: valid 2, invalid 1" in some.stdout
    assert "invalid ContactFlowId x1 (row 2)" in some.stdout
    assert every.exit_code == 2
    (line,) = every.stderr.splitlines()
    assert line.startswith("error: nothing was sent, as no row can be created: ")
    assert emulator.snapshot().counts == {}
    assert left_behind() == []


def test_a_limit_of_ten_creates_ten_tasks_and_says_how_to_continue(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(30))
    args = cli_args(emulator.endpoint_url)

    first = invoke_cli(["run", "tasks.csv", *args, "--limit", "10", "--summary-json", "s.json"])

    assert first.exit_code == 0, first.output
    assert "limit reached: 10 of 30 rows sent; run again without --limit to continue" in first.stdout
    assert "to re-run" not in first.stdout
    summary = json.loads(Path("s.json").read_text(encoding="utf-8"))
    assert (summary["limit"], summary["limit_reached"], summary["exit_code"]) == (10, True, 0)
    assert len(emulator.snapshot().tasks) == 10

    second = invoke_cli(["run", "tasks.csv", *args])

    assert second.exit_code == 0, second.output
    assert "sent 20 rows this run, 10 created earlier" in second.stdout
    assert "limit reached" not in second.stdout
    assert len(emulator.snapshot().tasks) == 30


def test_retry_continues_a_limited_run(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(25))
    invoke_cli(["run", "tasks.csv", *cli_args(emulator.endpoint_url), "--limit", "5"])

    canary = invoke_cli(["retry", str(RESULTS), "--limit", "5", "--progress", "none"])
    rest = invoke_cli(["retry", str(RESULTS), "--progress", "none"])

    assert canary.exit_code == 0
    assert "limit reached: 5 of 25 rows sent" in canary.stdout
    assert rest.exit_code == 0
    assert "sent 15 rows this run, 10 created earlier" in rest.stdout
    assert [o.status for o in read_outcomes(RESULTS)] == [Status.CREATED] * 25
    assert len(emulator.snapshot().tasks) == 25


def test_the_help_tells_what_the_emulator_does_not_check() -> None:
    help_text = " ".join(invoke_cli(["run", "--help"]).stdout.split())
    assert "it checks nothing about your real ids" in help_text
    for option in ("--limit N", "--preflight / --no-preflight", "--max-consecutive-rejects N"):
        assert option in help_text
