"""The corpus of broken inputs (tests/data/broken) through the real CLI, and what output may never hold.

Whole-file problems exit 2 with one exact line and send nothing; the mixed file loads its good rows and
records its bad ones; no credentials appear anywhere, and Name/Description never appear in logs above
debug. Each test talks to a `ThreadedEmulator` through `--endpoint-url`, so what was sent can be checked.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bulkload.cli import cli
from bulkload.emulator import EmulatorConfig, ThreadedEmulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger import read_outcomes
from bulkload.records import Status
from tests.integration.helpers import cli_args

CORPUS = Path(__file__).parent.parent / "data" / "broken"
MANIFEST: dict[str, Any] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
MIXED = MANIFEST["row_level"][0]

ACCESS_KEY = "AKIAQXBULKLOADLEAK7Z"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYbulkloadLEAK"
SESSION_TOKEN = "FwoGZXIvYXdzEBulkloadSessionTokenLEAK//////////wEaDA=="
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, "LEAK")


def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def requests_seen(emulator: ThreadedEmulator) -> int:
    return sum(emulator.snapshot().counts.values())


@pytest.fixture(autouse=True)
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the corpus as the current directory, so messages name files as the user typed them."""
    for path in CORPUS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    for name in ("BULKLOAD_INSTANCE_ID", "BULKLOAD_FLOW_ID", "BULKLOAD_RATE", "BULKLOAD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def emulator() -> Iterator[ThreadedEmulator]:
    config = EmulatorConfig(rate=1000, burst=1000, seed=1)
    with ThreadedEmulator(config) as running:
        yield running


def against(emulator: ThreadedEmulator, *extra: str) -> list[str]:
    return cli_args(emulator.endpoint_url, *extra)


def mapping_only(*extra: str) -> list[str]:
    return ["--instance-id", DEFAULT_INSTANCE_ID, "--flow-id", DEFAULT_FLOW_ID, "--progress", "none", *extra]


# --- whole-file problems ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    MANIFEST["whole_file"],
    ids=[f"{e['file']}{''.join(e['args'])}" for e in MANIFEST["whole_file"]],
)
def test_run_on_a_broken_file_exits_2_with_one_clear_line_and_sends_nothing(
    corpus: Path, emulator: ThreadedEmulator, entry: dict[str, Any]
) -> None:
    before = requests_seen(emulator)
    result = invoke(["run", entry["file"], *against(emulator, *entry["args"])])

    assert result.exit_code == 2
    assert result.stderr == entry["message"] + "\n"
    assert result.stdout == ""
    assert requests_seen(emulator) == before
    stem = Path(entry["file"]).stem
    assert not (corpus / f"{stem}.results.csv").exists()
    assert not (corpus / f"{stem}.results.csv.job.json").exists()


@pytest.mark.parametrize(
    "entry",
    MANIFEST["whole_file"],
    ids=[f"{e['file']}{''.join(e['args'])}" for e in MANIFEST["whole_file"]],
)
def test_validate_on_a_broken_file_exits_2_with_the_same_line(entry: dict[str, Any]) -> None:
    result = invoke(["validate", entry["file"], *mapping_only(*entry["args"])])

    assert result.exit_code == 2
    assert result.stderr == entry["message"] + "\n"


def test_the_suggested_encoding_reads_the_undecodable_file(emulator: ThreadedEmulator) -> None:
    result = invoke(["run", "undecodable.csv", *against(emulator, "--encoding", "cp1252")])

    assert result.exit_code == 0, result.output
    names = {t.params["Name"]: t.params["Description"] for t in emulator.snapshot().tasks}
    assert names["Bob"] == "café order"


# --- the acceptance case -----------------------------------------------------------------------------------------


def test_the_mixed_file_loads_its_11_good_rows_and_records_its_9_bad_ones(corpus: Path) -> None:
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, seed=1)) as emulator:
        result = invoke(["run", MIXED["file"], *against(emulator)])
        snap = emulator.snapshot()

    assert result.exit_code == 1
    assert "outcomes: created 11, invalid 9, rejected 0, failed 0" in result.stdout
    outcomes = list(read_outcomes(corpus / "mixed_11_good_9_bad.results.csv"))
    assert len(outcomes) == 20
    invalid = [[o.row, o.line, o.error_code, o.error_message] for o in outcomes if o.status is Status.INVALID]
    assert invalid == MIXED["invalid"]
    created = [o for o in outcomes if o.status is Status.CREATED]
    assert len(created) == MIXED["created"]
    # The service got exactly the good rows, refused nothing, and each row's own values.
    assert snap.counts == {"created": 11}
    sent = {t.client_token: t.params for t in snap.tasks}
    assert [sent[o.client_token]["Name"] for o in created] == [f"Good task {i}" for i in range(1, 12)]
    assert [sent[o.client_token].get("Description") for o in created] == [
        f"Follow up {i:02d}" for i in range(1, 12)
    ]
    assert sent[created[1].client_token]["Attributes"] == {"customer_id": "00102"}
    assert sent[created[4].client_token]["RelatedContactId"] == "rel-5"


def test_validate_on_the_mixed_file_sends_nothing_and_exits_1(emulator: ThreadedEmulator) -> None:
    before = requests_seen(emulator)
    result = invoke(["validate", MIXED["file"], *mapping_only()])

    assert result.exit_code == 1
    assert "outcomes: valid 11, invalid 9" in result.stdout
    # Both are Row problems, of two different rules: two groups, each message true for its row.
    assert "invalid Row x1 (row 5): line 6 has 9 fields; the header has 7" in result.stdout
    assert "invalid Row x1 (row 17): PreviousContactId, RelatedContactId: send at most one" in result.stdout
    assert requests_seen(emulator) == before
    assert not Path("mixed_11_good_9_bad.results.csv").exists()


def test_the_acceptance_whole_file_cases_exit_2_without_a_traceback(emulator: ThreadedEmulator) -> None:
    for name in ("undecodable.csv", "empty.csv", "no_name_column.csv"):
        result = invoke(["run", name, *against(emulator)])
        assert result.exit_code == 2, name
        assert len(result.stderr.splitlines()) == 1, result.stderr


# --- inputs that must neither stop the job with a traceback nor hang ----------------------------------------------


@pytest.mark.parametrize(
    ("file", "args", "message"),
    [
        (
            "one_sheet_named_tasks.xlsx",
            ["--sheet", "²"],  # str.isdigit() is true for it, int() refuses it
            "one_sheet_named_tasks.xlsx: there is no sheet named '²'; the sheets are 'Tasks'",
        ),
        *(
            (
                "mixed_11_good_9_bad.csv",
                ["--encoding", name],
                f"{name!r} is not a text encoding; use one such as utf-8, cp1252 or utf-16",
            )
            for name in ("rot13", "hex", "base64", "zlib", "uu")
        ),
    ],
    ids=["sheet-superscript-2", "rot13", "hex", "base64", "zlib", "uu"],
)
def test_a_bad_sheet_or_encoding_option_exits_2_with_one_line(
    emulator: ThreadedEmulator, file: str, args: list[str], message: str
) -> None:
    before = requests_seen(emulator)
    result = invoke(["run", file, *against(emulator, *args)])

    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message}\n"
    assert requests_seen(emulator) == before


def test_a_named_pipe_exits_2_with_one_line_instead_of_hanging(corpus: Path) -> None:
    # Opening a pipe for reading blocks until a writer comes, and SIGTERM does not end that wait. A real
    # process, so that a regression times out and is killed rather than hanging the test run.
    os.mkfifo(corpus / "rows.csv")
    args = ["--emulator", "--rate", "1000", "--burst", "100", "--progress", "none"]
    done = subprocess.run(
        [sys.executable, "-m", "bulkload", "run", "rows.csv", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2, done
    assert done.stderr == (
        "error: rows.csv: is not a regular file (a named pipe, socket or device?); "
        "save the rows to a file and give that file\n"
    )
    assert not (corpus / "rows.results.csv").exists()


def test_a_utf16_file_gets_the_utf16_hint(corpus: Path, emulator: ThreadedEmulator) -> None:
    text = (corpus / "mixed_11_good_9_bad.csv").read_text(encoding="utf-8")
    (corpus / "wide.csv").write_bytes(text.encode("utf-16"))
    result = invoke(["run", "wide.csv", *against(emulator)])

    assert result.exit_code == 2
    assert result.stderr == (
        "error: wide.csv: line 1: the bytes b'\\xff' are not valid utf-8; "
        "the file starts with a UTF-16 byte order mark: try --encoding utf-16\n"
    )
    suggested = invoke(["run", "wide.csv", *against(emulator, "--encoding", "utf-16")])
    assert "outcomes: created 11, invalid 9" in suggested.stdout


def test_a_cell_over_128_kib_is_one_invalid_row_and_every_run_gets_past_it(corpus: Path) -> None:
    # It stopped the job at its line with "field larger than field limit (131072)", and so did every
    # re-run. A key that long must also read back from the results file on the re-run.
    big_key = "k" * 200_000
    rows = [
        {"Ref": "r1", "Name": "Good 1", "Description": "first"},
        {"Ref": "r2", "Name": "Huge", "Description": "d" * 200_000},
        {"Ref": big_key, "Name": "Good 2", "Description": "long key"},
        {"Ref": "r4", "Name": "Good 3", "Description": "last"},
    ]
    write_rows(corpus / "huge.csv", rows)
    with (corpus / "huge.csv").open("r+b") as handle:  # drop write_rows' ragged line
        data = handle.read()
        handle.seek(0)
        handle.truncate()
        handle.write(data[: data.rindex(b"\n", 0, len(data) - 1) + 1])
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, seed=1)) as emulator:
        before = csv.field_size_limit(131_072)  # the default, as a fresh process has it
        try:
            first = invoke(["run", "huge.csv", *against(emulator, "--key", "Ref")])
            csv.field_size_limit(131_072)
            again = invoke(["run", "huge.csv", *against(emulator, "--key", "Ref")])
        finally:
            csv.field_size_limit(before)
        snap = emulator.snapshot()

    assert first.exit_code == 1, first.output
    assert "outcomes: created 3, invalid 1, rejected 0, failed 0" in first.stdout
    assert again.exit_code == 1, again.output
    assert "sent 0 rows this run, 3 created earlier" in again.stdout
    assert snap.counts == {"created": 3}
    assert sorted(t.params["Name"] for t in snap.tasks) == ["Good 1", "Good 2", "Good 3"]
    outcomes = list(read_outcomes(corpus / "huge.results.csv"))
    assert [(o.key, o.status) for o in outcomes] == [
        ("r1", Status.CREATED),
        ("r2", Status.INVALID),
        (big_key, Status.CREATED),
        ("r4", Status.CREATED),
    ]
    assert outcomes[1].error_message == "Description: 200000 characters; at most 4096"


YEAR_1_UTC = -62_135_596_800_000_000  # 0001-01-01T00:00Z in microseconds: year 0 in America/New_York
YEAR_10000_UTC = 253_402_300_800_000_000


def test_a_parquet_timestamp_out_of_datetime_range_spares_the_other_rows(corpus: Path) -> None:
    # It stopped the job with "internal error (OverflowError: date value out of range)", exit 1, even with
    # the column ignored. Year 1 in UTC is given in UTC; year 10000 makes its own row invalid.
    import pyarrow as pa  # noqa: PLC0415 - only this test needs it
    import pyarrow.parquet as pq  # noqa: PLC0415

    kind = pa.timestamp("us", tz="America/New_York")
    when = pa.array([0, YEAR_1_UTC, YEAR_10000_UTC, 1], kind)
    names = ["Good 1", "Year 1", "Year 10000", "Good 2"]
    pq.write_table(pa.table({"Name": names, "When": when}), corpus / "times.parquet")
    with ThreadedEmulator(EmulatorConfig(rate=1000, burst=1000, seed=1)) as emulator:
        result = invoke(["run", "times.parquet", *against(emulator, "--ignore-column", "When")])
        snap = emulator.snapshot()

    assert result.exit_code == 1, result.output
    assert "outcomes: created 3, invalid 1, rejected 0, failed 0" in result.stdout
    assert sorted(t.params["Name"] for t in snap.tasks) == ["Good 1", "Good 2", "Year 1"]
    invalid = [o for o in read_outcomes(corpus / "times.results.csv") if o.status is Status.INVALID]
    assert [(o.row, o.line, o.error_message) for o in invalid] == [
        (
            3,
            4,
            "column 'When': its timestamp[us, tz=America/New_York] value cannot be read as text "
            "(a moment outside the years 1 to 9999)",
        )
    ]


# --- nothing secret in any output --------------------------------------------------------------------------------


def secret_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
    }


def everything_written(corpus: Path, result: Result) -> dict[str, str]:
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    for path in corpus.iterdir():
        if path.name.endswith((".results.csv", ".job.json", ".json", ".prev")):
            texts[path.name] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_credentials_never_appear_in_any_output(corpus: Path, log_format: str) -> None:
    # A row the service rejects (unknown flow) and rows it fails (a 500, then out of attempts) too.
    with (corpus / "mixed_11_good_9_bad.csv").open("a", encoding="utf-8") as handle:
        handle.write("Rejected,x,,,,,\n")
    config = EmulatorConfig(rate=1000, burst=1000, seed=3, fail_rate=0.3)
    with ThreadedEmulator(config) as emulator:
        args = against(emulator, "--log-level", "debug", "--log-format", log_format, "--max-attempts", "2")
        result = invoke(["run", MIXED["file"], *args, "--summary-json", "summary.json"], env=secret_env())
        retried = invoke(
            ["retry", "mixed_11_good_9_bad.results.csv", "--log-level", "debug"], env=secret_env()
        )

    assert result.exit_code == 1
    assert retried.exit_code == 1
    assert result.stderr  # debug logging did log
    written = everything_written(corpus, result)
    assert {
        "summary.json",
        "mixed_11_good_9_bad.results.csv",
        "mixed_11_good_9_bad.results.csv.job.json",
    } <= set(written)
    written |= {f"retry {k}": v for k, v in everything_written(corpus, retried).items()}
    for where, text in written.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} in {where}"


NAME_MARK = "ZebraNameMark"
DESCRIPTION_MARK = "OkapiDescriptionMark"


def rows_failing_every_way() -> list[dict[str, str]]:
    """Rows whose Name and Description carry a mark, failing in every way a row can."""

    def row(i: int, **cells: str) -> dict[str, str]:
        return {"Name": f"{NAME_MARK} {i}", "Description": f"{DESCRIPTION_MARK} {i}", **cells}

    long_name = {"Name": NAME_MARK * 80}  # over 1024 characters
    long_description = {"Description": DESCRIPTION_MARK * 210}  # over 4096
    return [
        row(1),
        row(2, ScheduledTime="2020-01-01T00:00:00Z"),
        row(3, ScheduledTime="soon"),
        row(4, **long_name),
        row(5, **long_description),
        row(6, Attributes='{"due date": "x"}'),
        row(7, Attributes='{"k": x}'),
        row(8, References=json.dumps({"r": {"Value": "s3://b/k", "Type": "ATTACHMENT"}})),
        row(9, PreviousContactId="p", RelatedContactId="r"),
        row(10, ContactFlowId="no-such-flow"),  # rejected by the service (found by preflight if on)
        row(11, QuickConnectId="q", TaskTemplateId="t"),
        row(12, Ref="dup"),
        row(13, Ref="dup"),
    ]


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    # A ragged line, and one whose Name and Description come before its extra fields.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{NAME_MARK} 14,{DESCRIPTION_MARK} 14{',x' * len(fields)}\n")
    return path


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("fail_rate", [0.0, 1.0])
def test_name_and_description_never_appear_in_logs_above_debug(
    corpus: Path, log_format: str, fail_rate: float
) -> None:
    config = EmulatorConfig(rate=1000, burst=1000, seed=1, fail_rate=fail_rate)
    with ThreadedEmulator(config) as emulator:
        # Without preflight, so that row 10 is sent and rejected by the service.
        common = ["--key", "Ref", "--log-format", log_format, "--no-preflight"]
        # Ref is empty on most rows: give them one from the row number instead.
        rows = rows_failing_every_way()
        for i, row in enumerate(rows, start=1):
            row.setdefault("Ref", f"r{i}")
        write_rows(corpus / "marks.csv", rows)
        result = invoke(
            ["run", "marks.csv", *against(emulator, "--log-level", "info", "--max-attempts", "2", *common)]
        )
        checked = invoke(["validate", "marks.csv", *mapping_only("--log-level", "info", *common[:-1])])

    outcomes = {o.row: o for o in read_outcomes(corpus / "marks.results.csv")}
    statuses = {o.status for o in outcomes.values()}
    assert Status.INVALID in statuses
    assert (Status.REJECTED if fail_rate == 0 else Status.FAILED) in statuses
    assert result.exit_code == 1
    assert checked.exit_code == 1
    for text in (result.stderr, checked.stderr):
        assert "row 2 (key r2): invalid" in text  # the rows were logged, by row and key
        assert NAME_MARK not in text
        assert DESCRIPTION_MARK not in text
