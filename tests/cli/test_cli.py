"""The `bulkload` command through click's runner: exit codes, messages, configuration, retry."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bulkload.cli import cli
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger import COLUMNS, read_outcomes
from tests.integration.helpers import simple_rows, write_csv

FAST = ("--emulator", "--rate", "1000", "--burst", "100", "--progress", "none")


def read_outcomes_raw(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BULKLOAD_INSTANCE_ID", "BULKLOAD_FLOW_ID", "BULKLOAD_RATE", "BULKLOAD_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def test_run_against_the_built_in_emulator(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(12))
    result = invoke(["run", "tasks.csv", *FAST, "--summary-json", "summary.json"])

    assert result.exit_code == 0, result.output
    assert "outcomes: created 12, invalid 0, rejected 0, failed 0" in result.output
    assert "results: tasks.results.csv" in result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["counts"] == {"created": 12}
    assert summary["exit_code"] == 0
    assert summary["latency_ms"]["p50"] is not None
    assert len(list(read_outcomes(tmp_path / "tasks.results.csv"))) == 12


def test_some_rows_not_created_exits_1_and_prints_the_retry_command(tmp_path: Path) -> None:
    rows = simple_rows(3)
    rows[1]["Name"] = ""
    write_csv(tmp_path / "tasks.csv", rows)
    result = invoke(["run", "tasks.csv", *FAST])

    assert result.exit_code == 1
    assert "invalid Name x1 (row 2)" in result.output
    assert "to re-run the rows not created: bulkload retry tasks.results.csv" in result.output


def test_retry_sends_the_fixed_rows_only(tmp_path: Path) -> None:
    rows = simple_rows(3)
    rows[1]["Name"] = ""
    write_csv(tmp_path / "tasks.csv", rows)
    invoke(["run", "tasks.csv", *FAST])
    first = list(read_outcomes(tmp_path / "tasks.results.csv"))
    rows[1]["Name"] = "Fixed"
    write_csv(tmp_path / "tasks.csv", rows)

    result = invoke(["retry", "tasks.results.csv", "--emulator", "--progress", "none"])

    assert result.exit_code == 0, result.output
    assert "sent 1 row this run, 2 created earlier" in result.output
    after = list(read_outcomes(tmp_path / "tasks.results.csv"))
    assert [o.status.value for o in after] == ["created"] * 3
    assert after[0].contact_id == first[0].contact_id


def test_validate_sends_nothing_and_exits_1_on_invalid_rows(tmp_path: Path) -> None:
    rows = simple_rows(4)
    rows[2]["ScheduledTime"] = "next Tuesday"
    write_csv(tmp_path / "tasks.csv", rows)
    result = invoke(
        ["validate", "tasks.csv", "--instance-id", "i-1", "--flow-id", "f-1", "--progress", "none"]
    )

    assert result.exit_code == 1
    assert "invalid ScheduledTime x1 (row 3)" in result.output
    assert "'next Tuesday' is not a time" in result.output
    assert not (tmp_path / "tasks.results.csv").exists()

    rows[2]["ScheduledTime"] = ""
    write_csv(tmp_path / "tasks.csv", rows)
    ok = invoke(["validate", "tasks.csv", "--instance-id", "i-1", "--flow-id", "f-1", "--progress", "none"])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (None, [], "error: in.csv: no such file"),
        (b"", [], "empty"),
        (b"Name,Descripton\nA,B\n", [], "'Descripton'"),
        (b"Title,Description\nA,B\n", ["--ignore-column", "Title"], "no column for Name"),
        (b"Name,Description\nA,caf\xe9\n", [], "--encoding"),
    ],
)
def test_whole_file_problems_exit_2_with_one_clear_line(
    tmp_path: Path, content: bytes | None, extra: list[str], message: str
) -> None:
    if content is not None:
        (tmp_path / "in.csv").write_bytes(content)
    result = invoke(["run", "in.csv", *FAST, *extra])

    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "in.results.csv").exists()


def test_bad_options_exit_2(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(1))
    assert invoke(["run", "tasks.csv", "--rate", "0"]).exit_code == 2
    assert invoke(["run", "tasks.csv", "--map", "Name"]).exit_code == 2
    for bad, message in [
        (["--delimiter", "ab"], "the delimiter must be one character, not 'ab'"),
        (["--delimiter", ""], "the delimiter must be one character, not ''"),
        (["--encoding", "nosuch"], "unknown encoding 'nosuch'"),
    ]:
        for command in ("run", "validate"):
            emulator = ["--emulator"] if command == "run" else []
            result = invoke([command, "tasks.csv", *emulator, *bad])
            assert result.exit_code == 2, result.output
            assert message in result.output


def test_options_come_from_file_then_environment_then_command_line(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", [{"Customer": "Ada", "Issue": "Refund"}])
    instances = ("from-file", "from-env", "from-cli")
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=100, instance_ids=instances)) as emulator:
        (tmp_path / "bulkload.toml").write_text(
            f'instance_id = "from-file"\nflow_id = "{DEFAULT_FLOW_ID}"\nrate = 1000\nprogress = "none"\n'
            f'endpoint_url = "{emulator.endpoint_url}"\n'
            '[mapping]\nName = "Customer"\nDescription = "Issue"\n'
        )
        env = {"BULKLOAD_INSTANCE_ID": "from-env"}
        assert invoke(["run", "tasks.csv", "--results", "a.csv"]).exit_code == 0
        assert invoke(["run", "tasks.csv", "--results", "b.csv"], env=env).exit_code == 0
        assert (
            invoke(["run", "tasks.csv", "--results", "c.csv", "--instance-id", "from-cli"], env=env).exit_code
            == 0
        )
        tasks = emulator.snapshot().tasks

    assert [t.params["InstanceId"] for t in tasks] == ["from-file", "from-env", "from-cli"]
    assert all(t.params["Name"] == "Ada" and t.params["Description"] == "Refund" for t in tasks)


def test_an_unknown_config_key_is_an_error(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(1))
    (tmp_path / "bulkload.toml").write_text('instnace_id = "x"\n')
    result = invoke(["run", "tasks.csv"])
    assert result.exit_code == 2
    assert "unknown option 'instnace_id'" in result.output


def test_json_logs_carry_row_numbers(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(2))
    result = invoke(
        [
            "run",
            "tasks.csv",
            *FAST,
            "--log-format",
            "json",
            "--log-level",
            "debug",
            "--instance-id",
            DEFAULT_INSTANCE_ID,
            "--flow-id",
            DEFAULT_FLOW_ID,
        ]
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert all({"time", "level", "message"} <= set(line) for line in lines)
    created = [line for line in lines if line.get("event") == "outcome"]
    assert [(line["row"], line["key"]) for line in created] == [(1, "1"), (2, "2")]
    assert not any("Task 1" in line["message"] or "Call customer" in line["message"] for line in lines)


@pytest.mark.parametrize("spelling", ["tab", "\\t", "TAB", "\t"])
def test_a_tab_delimiter_can_be_typed(tmp_path: Path, spelling: str) -> None:
    (tmp_path / "tasks.txt").write_text("Name\tDescription\nAda\tRefund, please\n")
    args = ["validate", "tasks.txt", "--instance-id", "i-1", "--flow-id", "f-1", "--progress", "none"]
    result = invoke([*args, "--delimiter", spelling])
    assert result.exit_code == 0, result.output
    assert "outcomes: valid 1, invalid 0" in result.output


def test_retry_after_an_emulator_run_says_at_once_to_add_emulator(tmp_path: Path) -> None:
    rows = simple_rows(3)
    rows[1]["Name"] = ""
    write_csv(tmp_path / "tasks.csv", rows)
    first = invoke(["run", "tasks.csv", *FAST])
    assert "to re-run the rows not created: bulkload retry tasks.results.csv --emulator" in first.output
    recorded = json.loads((tmp_path / "tasks.results.csv.job.json").read_text())
    assert recorded["options"]["client"]["emulator"] is True

    started = time.monotonic()
    refused = invoke(["retry", "tasks.results.csv", "--progress", "none"])
    assert time.monotonic() - started < 5
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "error: this job ran against the built-in emulator; run `bulkload retry tasks.results.csv --emulator`"
    )

    # The retry's own summary suggests --emulator too.
    again = invoke(
        ["retry", "tasks.results.csv", "--emulator", "--progress", "none", "--summary-json", "s.json"]
    )
    assert again.exit_code == 1
    assert "to re-run the rows not created: bulkload retry tasks.results.csv --emulator" in again.output
    assert json.loads((tmp_path / "s.json").read_text())["retry_command"] == (
        "bulkload retry tasks.results.csv --emulator"
    )


def test_validate_writes_a_report_of_every_row_and_takes_the_emulators_defaults(tmp_path: Path) -> None:
    rows = simple_rows(3)
    rows[1]["ScheduledTime"] = "next Tuesday"
    write_csv(tmp_path / "tasks.csv", rows)
    result = invoke(["validate", "tasks.csv", "--emulator", "--report", "report.csv", "--progress", "none"])

    assert result.exit_code == 1, result.output
    assert "outcomes: valid 2, invalid 1" in result.output
    report = list(read_outcomes_raw(tmp_path / "report.csv"))
    assert [(r["row"], r["status"], r["error_code"]) for r in report] == [
        ("1", "valid", ""),
        ("2", "invalid", "ScheduledTime"),
        ("3", "valid", ""),
    ]
    assert "'next Tuesday' is not a time" in report[1]["error_message"]
    assert list(report[0]) == list(COLUMNS)
    assert not (tmp_path / "tasks.results.csv").exists()
    assert not (tmp_path / "tasks.results.csv.job.json").exists()


def test_validate_without_the_emulator_still_needs_an_instance(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(2))
    result = invoke(["validate", "tasks.csv", "--progress", "none"])
    assert result.exit_code == 2
    assert "error: no column for InstanceId" in result.output


def test_a_report_path_that_would_overwrite_the_input_is_refused(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(2))
    result = invoke(["validate", "tasks.csv", "--emulator", "--report", "tasks.csv"])
    assert result.exit_code == 2
    assert "--report tasks.csv would overwrite tasks.csv" in result.output
    assert (tmp_path / "tasks.csv").read_text().startswith("Name,")
    missing = invoke(["validate", "tasks.csv", "--emulator", "--report", "nowhere/r.csv"])
    assert missing.exit_code == 2
    assert "the directory nowhere does not exist" in missing.output
