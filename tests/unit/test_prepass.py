"""The pre-pass over a real CSV file: the ids of the rows a run will send, then preflight's verdict, with a
scripted client (no service)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.errors import ConfigError
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.prepare import RowPreparer
from bulkload.prepass import preflight_rows, used_ids
from bulkload.records import RowOutcome, Status
from bulkload.source import Source, SourceOptions, open_source
from bulkload.threadwork import ThreadWork
from bulkload.validation import FileRules, RequestValidator
from tests.unit.connect.fakes import NOT_FOUND, ScriptedConnect, Sleeps

OPTIONS = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="id")


@pytest.fixture
def input_path(tmp_path: Path) -> Path:
    """Six rows: 1-4 use the default flow, 5 names flow `other`, 6 has no Name (invalid)."""
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "Name", "ContactFlowId"])
        writer.writerows([[f"k{n}", f"Task {n}", ""] for n in range(1, 5)])
        writer.writerows([["k5", "Task 5", "other"], ["k6", "", ""]])
    return path


def opener(path: Path) -> tuple[Source, ColumnMapping]:
    source = open_source(path, SourceOptions())
    return source, ColumnMapping.from_header(source.info.header, OPTIONS)


def preparer(mapping: ColumnMapping, previous: dict[str, RowOutcome] | None = None) -> RowPreparer:
    return RowPreparer(
        mapping, RequestValidator(), FileRules(check_duplicate_keys=True), previous, job_id="job-1"
    )


async def scan(path: Path, *, limit: int | None = None, previous: dict[str, RowOutcome] | None = None) -> int:
    source, mapping = opener(path)
    with source:
        ids = await used_ids(
            source, preparer(mapping, previous), limit=limit, thread=ThreadWork(), stopped=lambda: False
        )
    return ids.rows


async def test_only_the_rows_a_run_will_send_are_counted(input_path: Path) -> None:
    created = RowOutcome(row=2, line=3, key="k2", status=Status.CREATED, job_id="job-1", contact_id="c")
    assert await scan(input_path) == 5  # not the invalid row 6
    assert await scan(input_path, previous={"k2": created}) == 4  # nor a row created earlier


async def test_the_pre_pass_stops_where_the_runs_limit_does(input_path: Path) -> None:
    created = RowOutcome(row=1, line=2, key="k1", status=Status.CREATED, job_id="job-1", contact_id="c")
    assert await scan(input_path, limit=2) == 2
    assert await scan(input_path, limit=2, previous={"k1": created}) == 2  # rows 2 and 3


async def test_a_stop_ends_the_pre_pass_and_preflight_checks_nothing(input_path: Path) -> None:
    client = ScriptedConnect()
    report = await preflight_rows(
        client,
        lambda: opener(input_path),
        preparer,
        limit=None,
        thread=ThreadWork(),
        stopped=lambda: True,
        sleep=Sleeps(),
    )
    assert report is None
    assert client.calls == []


async def test_preflight_checks_each_id_once_and_refuses_the_rows_of_an_unknown_one(input_path: Path) -> None:
    client = ScriptedConnect({("DescribeContactFlow", "other"): [NOT_FOUND]})
    report = await preflight_rows(
        client,
        lambda: opener(input_path),
        preparer,
        limit=None,
        thread=ThreadWork(),
        stopped=lambda: False,
        sleep=Sleeps(),
    )
    assert report is not None
    assert sorted(client.calls) == [
        ("DescribeContactFlow", DEFAULT_FLOW_ID),
        ("DescribeContactFlow", "other"),
        ("DescribeInstance", DEFAULT_INSTANCE_ID),
    ]
    other = {"InstanceId": DEFAULT_INSTANCE_ID, "ContactFlowId": "other", "Name": "n"}
    assert [p.code for p in report.problems_for(other)] == ["ContactFlowId"]


async def test_a_file_whose_every_row_is_refused_is_one_config_error_naming_the_id(input_path: Path) -> None:
    # Rows 1-4 are created: only row 5 is left to send, and its flow is unknown.
    done = {
        f"k{n}": RowOutcome(row=n, line=n + 1, key=f"k{n}", status=Status.CREATED, job_id="job-1")
        for n in range(1, 5)
    }
    with pytest.raises(ConfigError) as info:
        await preflight_rows(
            ScriptedConnect({("DescribeContactFlow", "other"): [NOT_FOUND]}),
            lambda: opener(input_path),
            lambda mapping: preparer(mapping, done),
            limit=None,
            thread=ThreadWork(),
            stopped=lambda: False,
            sleep=Sleeps(),
        )
    assert str(info.value) == (
        "nothing was sent, as no row can be created: ContactFlowId: contact flow 'other' does not exist in "
        f"instance {DEFAULT_INSTANCE_ID!r} (DescribeContactFlow answered ResourceNotFoundException)"
    )
