"""`bulkload stop` through click's runner: the dry run, the confirmation, --keys, exit codes and messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulkload.cli import cli
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_INSTANCE_ID
from bulkload.ledger import COLUMNS, read_outcomes, stop_ledger_path
from tests.integration.helpers import cli_args, invoke_cli, simple_rows, write_csv

pytestmark = pytest.mark.usefixtures("cli_workdir")

FAST = ("--rate", "1000", "--burst", "100", "--progress", "none")
RESULTS = "tasks.results.csv"


@pytest.fixture
def emulator() -> Iterator[ThreadedEmulator]:
    config = EmulatorConfig(rate=1000, burst=100, stop_rate=1000, stop_burst=100, seed=1)
    with ThreadedEmulator(config) as running:
        yield running


def load(emulator: ThreadedEmulator, count: int = 5) -> dict[int, str]:
    """`bulkload run` of `count` rows; the ContactId of each row."""
    write_csv(Path("tasks.csv"), simple_rows(count))
    assert invoke_cli(["run", "tasks.csv", *cli_args(emulator.endpoint_url)]).exit_code == 0
    return {o.row: o.contact_id for o in read_outcomes(Path(RESULTS))}


def stop_requests(emulator: ThreadedEmulator) -> int:
    return sum(emulator.snapshot().stop_counts.values())


def test_a_dry_run_lists_what_would_be_stopped_and_sends_nothing(emulator: ThreadedEmulator) -> None:
    contacts = load(emulator, 7)

    result = invoke_cli(["stop", RESULTS, "--dry-run", *FAST])

    assert result.exit_code == 0, result.output
    assert f"would stop 7 tasks in instance {DEFAULT_INSTANCE_ID}:" in result.output
    assert f"  row 1 (key 1): contact {contacts[1]}" in result.output
    assert "  ... and 2 more" in result.output
    assert "nothing was sent" in result.output
    assert stop_requests(emulator) == 0
    assert not stop_ledger_path(Path(RESULTS)).exists()


def test_without_a_terminal_it_asks_for_yes_and_sends_nothing(emulator: ThreadedEmulator) -> None:
    load(emulator)

    result = invoke_cli(["stop", RESULTS, *FAST])

    assert result.exit_code == 2
    assert result.output == (
        f"error: stopping 5 tasks in instance {DEFAULT_INSTANCE_ID} needs a confirmation, and there is "
        "no terminal to ask on: pass --yes\n"
    )
    assert stop_requests(emulator) == 0


@pytest.mark.parametrize(("answer", "code", "stopped"), [("y\n", 0, 5), ("n\n", 1, 0), ("\n", 1, 0)])
def test_on_a_terminal_it_asks_with_the_count_and_the_instance(
    emulator: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, stopped: int
) -> None:
    load(emulator)
    monkeypatch.setattr("bulkload.cli.stop.can_ask", lambda: True)

    result = CliRunner().invoke(cli, ["stop", RESULTS, *FAST], input=answer, catch_exceptions=False)

    assert f"Stop 5 tasks in instance {DEFAULT_INSTANCE_ID}? [y/N]" in result.output
    assert result.exit_code == code, result.output
    assert len(emulator.snapshot().stopped_contact_ids) == stopped
    if not stopped:
        assert "nothing was sent" in result.output
        assert stop_requests(emulator) == 0


def test_yes_stops_every_task_and_a_second_stop_has_nothing_to_do(
    emulator: ThreadedEmulator, tmp_path: Path
) -> None:
    load(emulator)

    result = invoke_cli(["stop", RESULTS, "--yes", *FAST, "--summary-json", "stop.json"])

    assert result.exit_code == 0, result.output
    assert f"stop: {RESULTS} (5 tasks to stop) in " in result.output
    assert "outcomes: stopped 5, already-ended 0, rejected 0, failed 0" in result.output
    assert f"stop ledger: {RESULTS}.stop.csv" in result.output
    summary = json.loads((tmp_path / "stop.json").read_text(encoding="utf-8"))
    assert (summary["command"], summary["counts"], summary["exit_code"]) == ("stop", {"stopped": 5}, 0)

    again = invoke_cli(["stop", RESULTS, "--yes", *FAST])

    assert again.exit_code == 0, again.output
    assert "nothing to stop" in again.output
    assert "left alone: 5 stopped or ended by an earlier stop (of 5 created rows chosen)" in again.output
    assert stop_requests(emulator) == 5


def test_keys_stop_exactly_the_listed_rows(emulator: ThreadedEmulator) -> None:
    contacts = load(emulator, 6)
    Path("keys.txt").write_text("2\n6\n", encoding="utf-8")

    result = invoke_cli(["stop", RESULTS, "--keys", "keys.txt", "--yes", *FAST])

    assert result.exit_code == 0, result.output
    assert emulator.snapshot().stopped_contact_ids == {contacts[2], contacts[6]}


def test_a_key_that_is_no_row_stops_nothing(emulator: ThreadedEmulator) -> None:
    load(emulator)
    Path("keys.txt").write_text("2\nT-99\n", encoding="utf-8")

    result = invoke_cli(["stop", RESULTS, "--keys", "keys.txt", "--yes", *FAST])

    assert result.exit_code == 2
    assert f"error: 1 of the keys to stop are no row of {RESULTS}: 'T-99'" in result.output
    assert stop_requests(emulator) == 0


def test_only_scheduled_on_an_older_results_file_is_one_line(emulator: ThreadedEmulator) -> None:
    older = ",".join(COLUMNS[: COLUMNS.index("request_hash") + 1])
    Path(RESULTS).write_text(older + "\n1,2,1,created,c-1,t,,,1,j,h\n", encoding="utf-8")

    result = invoke_cli(["stop", RESULTS, "--only-scheduled", "--yes", *FAST])

    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "which did not keep their ScheduledTime: stop without --only-scheduled" in result.output


def test_a_missing_results_file_and_a_summary_over_the_ledger_are_refused() -> None:
    missing = invoke_cli(["stop", "none.csv", "--yes", *FAST])
    assert (missing.exit_code, missing.output) == (
        2,
        "error: no results file at none.csv: pass the results file of the run to undo\n",
    )
    clash = invoke_cli(["stop", RESULTS, "--yes", *FAST, "--summary-json", f"{RESULTS}.stop.csv"])
    assert clash.exit_code == 2
    assert "would overwrite" in clash.output


def test_results_or_a_summary_in_s3_are_refused_in_one_line() -> None:
    remote = invoke_cli(["stop", "s3://ledgers/tasks.results.csv", "--yes", *FAST])
    assert (remote.exit_code, remote.output) == (
        2,
        "error: s3://ledgers/tasks.results.csv is in S3: bulkload stop works only on a results file on "
        "this machine\n",
    )
    summary = invoke_cli(["stop", RESULTS, "--yes", *FAST, "--summary-json", "s3://ledgers/stop.json"])
    assert (summary.exit_code, summary.output) == (
        2,
        "error: --summary-json s3://ledgers/stop.json: bulkload stop writes its summary to a local file only\n",
    )


def test_against_the_built_in_emulator_every_task_reads_as_already_ended(emulator: ThreadedEmulator) -> None:
    load(emulator, 3)

    result = invoke_cli(["stop", RESULTS, "--emulator", "--yes", *FAST])

    assert result.exit_code == 0, result.output
    assert "outcomes: stopped 0, already-ended 3, rejected 0, failed 0" in result.output
    assert "(against a new built-in emulator, which knows no task of an earlier process)" in result.output
    assert stop_requests(emulator) == 0
