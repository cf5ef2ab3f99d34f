"""Guards against the quiet disasters: outcomes matched to the wrong rows, files destroyed by mistake,
tracebacks from damaged files.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.ledger import read_outcomes
from bulkload.records import Status
from tests.integration.helpers import cli_args, invoke_cli, simple_rows, write_csv

pytestmark = pytest.mark.usefixtures("cli_workdir")


@pytest.fixture
def emulator() -> Iterator[ThreadedEmulator]:
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000)) as running:
        yield running


def run_args(emulator: ThreadedEmulator, *extra: str) -> list[str]:
    return cli_args(emulator.endpoint_url, *extra)


def keyed_rows(count: int, prefix: str = "T") -> list[dict[str, str]]:
    return [{**row, "ticket": f"{prefix}-{i}"} for i, row in enumerate(simple_rows(count))]


# -- outcomes matched to the wrong rows ----------------------------------------------------------------------


def test_changing_the_key_of_a_job_is_refused_before_anything_is_sent(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), keyed_rows(5))
    first = invoke_cli(["run", "tasks.csv", *run_args(emulator, "--ignore-column", "ticket")])
    assert first.exit_code == 0, first.output

    again = invoke_cli(["run", "tasks.csv", *run_args(emulator, "--key", "ticket")])

    assert again.exit_code == 2
    assert "was written with no --key" in again.output
    assert "this run has --key 'ticket'" in again.output
    assert len(emulator.snapshot().tasks) == 5  # not 10: no task created twice
    # With the same options the job continues, and sends nothing.
    same = invoke_cli(["run", "tasks.csv", *run_args(emulator, "--ignore-column", "ticket")])
    assert same.exit_code == 0
    assert "sent 0 rows this run, 5 created earlier" in same.output


def test_an_explicit_results_file_of_another_input_is_refused(emulator: ThreadedEmulator) -> None:
    write_csv(Path("monday.csv"), keyed_rows(4, "MON"))
    write_csv(Path("tuesday.csv"), keyed_rows(4, "TUE"))
    assert (
        invoke_cli(
            ["run", "monday.csv", *run_args(emulator, "--key", "ticket"), "--results", "n.csv"]
        ).exit_code
        == 0
    )

    result = invoke_cli(["run", "tuesday.csv", *run_args(emulator, "--key", "ticket"), "--results", "n.csv"])

    assert result.exit_code == 2
    assert "holds the results of another input" in result.output
    assert "whose content differs" in result.output
    assert len(emulator.snapshot().tasks) == 4
    assert {o.key for o in read_outcomes(Path("n.csv"))} == {f"MON-{i}" for i in range(4)}


def test_the_same_file_moved_continues_its_job_with_an_explicit_results_file(
    emulator: ThreadedEmulator,
) -> None:
    rows = keyed_rows(4)
    rows[2]["Name"] = ""
    write_csv(Path("tasks.csv"), rows)
    assert invoke_cli(["run", "tasks.csv", *run_args(emulator, "--key", "ticket")]).exit_code == 1
    Path("archive").mkdir()
    Path("tasks.csv").rename("archive/tasks.csv")

    moved = invoke_cli(
        ["run", "archive/tasks.csv", *run_args(emulator, "--key", "ticket"), "--results", "tasks.results.csv"]
    )

    assert moved.exit_code == 1  # the invalid row is still invalid; nothing was sent twice
    assert "sent 0 rows this run, 3 created earlier" in moved.output
    assert len(emulator.snapshot().tasks) == 3


def test_a_client_token_repeated_in_the_file_makes_the_repeat_invalid(emulator: ThreadedEmulator) -> None:
    rows = simple_rows(3)
    for row in rows:
        row["ClientToken"] = "tok-1"
    write_csv(Path("tasks.csv"), rows)

    result = invoke_cli(["run", "tasks.csv", *run_args(emulator)])

    assert result.exit_code == 1
    outcomes = list(read_outcomes(Path("tasks.results.csv")))
    assert [o.status for o in outcomes] == [Status.CREATED, Status.INVALID, Status.INVALID]
    assert outcomes[1].error_code == "ClientToken"
    assert "ClientToken 'tok-1' appears again (first on row 1)" in outcomes[1].error_message
    assert len(emulator.snapshot().tasks) == 1


# -- files destroyed by mistake ------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_results_path_that_is_not_a_regular_file_is_refused(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(2))
    os.mkfifo("pipe.csv")
    Path("real.csv").write_text("x\n")
    Path("link.csv").symlink_to("real.csv")
    for path in ("pipe.csv", "link.csv"):
        result = invoke_cli(["run", "tasks.csv", *run_args(emulator), "--results", path])
        assert result.exit_code == 2
        assert f"the results path {path} is not a regular file" in result.output
    assert Path("link.csv").is_symlink()
    assert Path("real.csv").read_text() == "x\n"
    assert not emulator.snapshot().tasks


def test_the_input_as_its_own_results_file_is_refused(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(2))
    before = Path("tasks.csv").read_bytes()
    result = invoke_cli(["run", "tasks.csv", *run_args(emulator), "--results", "tasks.csv"])
    assert result.exit_code == 2
    assert "is the input itself" in result.output
    assert Path("tasks.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("tasks.csv", "would overwrite tasks.csv"),
        ("tasks.results.csv", "would overwrite tasks.results.csv"),
        ("missing/summary.json", "the directory missing does not exist"),
    ],
)
def test_a_bad_summary_path_is_refused_before_anything_is_sent(
    emulator: ThreadedEmulator, summary: str, message: str
) -> None:
    write_csv(Path("tasks.csv"), simple_rows(2))
    before = Path("tasks.csv").read_bytes()
    result = invoke_cli(["run", "tasks.csv", *run_args(emulator), "--summary-json", summary])
    assert result.exit_code == 2
    assert message in result.output
    assert not emulator.snapshot().tasks
    assert Path("tasks.csv").read_bytes() == before


# -- damaged files and busy ports: one line, never a traceback ----------------------------------------------


def test_a_config_file_that_is_not_utf8_is_one_clear_line() -> None:
    write_csv(Path("tasks.csv"), simple_rows(1))
    Path("bulkload.toml").write_bytes("rate = 5\n".encode("utf-16"))
    result = invoke_cli(["validate", "tasks.csv", "--instance-id", "i", "--flow-id", "f"])
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.output


@pytest.mark.parametrize(
    "damage",
    [
        {"options": []},
        {"input": None},
        {"options": {"source": {"encoding": "nope"}}},
        {"options": {"mapping": {"column_map": [1, 2]}}},
        {"options": {"pool": "fast"}},
    ],
    ids=["options-list", "input-null", "bad-encoding", "column-map-list", "pool-string"],
)
def test_retry_with_a_damaged_job_file_is_one_clear_line(
    emulator: ThreadedEmulator, damage: dict[str, Any]
) -> None:
    rows = simple_rows(2)
    rows[1]["Name"] = ""
    write_csv(Path("tasks.csv"), rows)
    assert invoke_cli(["run", "tasks.csv", *run_args(emulator)]).exit_code == 1
    job_file = Path("tasks.results.csv.job.json")
    body = json.loads(job_file.read_text())
    for key, value in damage.items():
        if key == "options" and isinstance(value, dict):
            for part, fields in value.items():
                body["options"][part] = (
                    fields if not isinstance(fields, dict) else {**body["options"][part], **fields}
                )
        else:
            body[key] = value
    job_file.write_text(json.dumps(body))

    result = invoke_cli(["retry", "tasks.results.csv", "--progress", "none"])

    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ")
    assert "job file" in result.output


def test_the_emulator_on_a_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bulkload", "emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


# -- mapping messages ----------------------------------------------------------------------------------------


def test_a_field_mapped_twice_is_an_error_not_a_silent_choice() -> None:
    write_csv(Path("tasks.csv"), [{"Customer": "Ada", "Issue": "Refund"}])
    result = invoke_cli(
        [
            "validate",
            "tasks.csv",
            "--instance-id",
            "i",
            "--flow-id",
            "f",
            "--map",
            "Name=Customer",
            "--map",
            "Name=Issue",
        ]
    )
    assert result.exit_code == 2
    assert "Name is mapped twice ('Customer' and 'Issue')" in result.output


def test_thousands_of_unknown_columns_give_a_short_error() -> None:
    header = ["Name", "Description", *(f"extra_{i}" for i in range(5000))]
    Path("wide.csv").write_text(",".join(header) + "\n" + ",".join(["A", "B", *[""] * 5000]) + "\n")
    result = invoke_cli(["validate", "wide.csv", "--instance-id", "i", "--flow-id", "f"])
    assert result.exit_code == 2
    assert "... and 4990 more columns that map to no member" in result.output
    assert len(result.output) < 5000


def test_a_template_over_empty_cells_leaves_the_member_absent() -> None:
    write_csv(
        Path("tasks.csv"), [{"Customer": "", "Issue": "Refund"}, {"Customer": "Ada", "Issue": "Refund"}]
    )
    args = [
        "--instance-id",
        "i",
        "--flow-id",
        "f",
        "--name-template",
        "{Customer}",
        "--map",
        "Description=Issue",
    ]
    result = invoke_cli(["validate", "tasks.csv", *args, "--progress", "none"])
    assert result.exit_code == 1
    assert "invalid Name x1 (row 1)" in result.output


# -- one run at a time per results file ------------------------------------------------------------------------


def test_a_second_run_on_the_same_results_file_is_refused_while_the_first_runs(
    emulator: ThreadedEmulator,
) -> None:
    import fcntl  # noqa: PLC0415 - POSIX only, like the lock itself

    write_csv(Path("tasks.csv"), simple_rows(3))
    with open("tasks.results.csv.lock", "w") as held:
        held.write("4242\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running bulkload holds it
        result = invoke_cli(["run", "tasks.csv", *run_args(emulator)])
        assert result.exit_code == 2
        assert "another bulkload (pid 4242) is running with tasks.results.csv" in result.output
        assert not emulator.snapshot().tasks
        assert not Path("tasks.results.csv").exists()

    # The holder has gone (its lock with it; a kill -9 does the same): its stale file blocks nothing.
    again = invoke_cli(["run", "tasks.csv", *run_args(emulator)])
    assert again.exit_code == 0, again.output
    assert len(emulator.snapshot().tasks) == 3
    assert not Path("tasks.results.csv.lock").exists()


def test_a_results_file_in_a_missing_directory_is_one_clear_line(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(1))
    result = invoke_cli(["run", "tasks.csv", *run_args(emulator), "--results", "nowhere/r.csv"])
    assert result.exit_code == 2
    assert "the directory of the results file nowhere/r.csv does not exist" in result.output


def test_another_job_id_on_a_results_file_is_refused(emulator: ThreadedEmulator) -> None:
    write_csv(Path("tasks.csv"), simple_rows(2))
    assert invoke_cli(["run", "tasks.csv", *run_args(emulator, "--job-id", "nightly-1")]).exit_code == 0
    result = invoke_cli(["run", "tasks.csv", *run_args(emulator, "--job-id", "nightly-2")])
    assert result.exit_code == 2
    assert "belongs to job nightly-1, but this run is job nightly-2" in result.output
    assert len(emulator.snapshot().tasks) == 2


def test_a_new_file_at_the_same_path_says_its_rows_were_not_sent(emulator: ThreadedEmulator) -> None:
    """Day 2's file at day 1's path, without --key: its rows match day 1's by number. They are never sent
    (a created row is never sent twice), and the summary says so loudly instead of only logging it."""
    write_csv(Path("tasks.csv"), simple_rows(4))
    assert invoke_cli(["run", "tasks.csv", *run_args(emulator), "--summary-json", "day1.json"]).exit_code == 0
    write_csv(Path("tasks.csv"), [{**row, "Name": f"Day 2 {row['Name']}"} for row in simple_rows(4)])

    result = invoke_cli(["run", "tasks.csv", *run_args(emulator), "--summary-json", "day2.json"])

    assert "warning: 4 rows changed after their task was created and were not sent again" in result.output
    assert json.loads(Path("day2.json").read_text())["changed_after_created"] == 4
    assert len(emulator.snapshot().tasks) == 4


def test_rows_created_in_earlier_runs_count_towards_a_previous_contact_chain(
    emulator: ThreadedEmulator,
) -> None:
    rows = [{**row, "PreviousContactId": "prev-1"} for row in simple_rows(13)]
    write_csv(Path("tasks.csv"), rows[:12])
    assert invoke_cli(["run", "tasks.csv", *run_args(emulator)]).exit_code == 0
    write_csv(Path("tasks.csv"), rows)  # a thirteenth follow-up added the next day

    result = invoke_cli(["run", "tasks.csv", *run_args(emulator)])

    assert result.exit_code == 1
    last = list(read_outcomes(Path("tasks.results.csv")))[-1]
    assert last.status is Status.INVALID  # refused here, never sent: before, the service rejected it
    assert last.error_code == "PreviousContactId"
    assert len(emulator.snapshot().tasks) == 12
