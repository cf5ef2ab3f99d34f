"""Preflight over HTTP: bulkload's own client against the emulator on loopback, checking the ids rows use
before any row is sent, with the emulator's answers in the real wire format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.connect.preflight import PreflightReport, UsedIds, preflight
from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_INACTIVE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
    Emulator,
)
from bulkload.errors import EndpointUnreachableError, ServiceAccessError
from tests.conftest import MakeEmulator

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def flow_rows(
    count: int, flow: str = DEFAULT_FLOW_ID, instance: str = DEFAULT_INSTANCE_ID
) -> list[dict[str, str]]:
    return [{"InstanceId": instance, "Name": f"Task {n}", "ContactFlowId": flow} for n in range(count)]


def used(rows: Sequence[Mapping[str, str]]) -> UsedIds:
    ids = UsedIds()
    for params in rows:
        ids.add(params)
    return ids


def client_for(emulator: Emulator) -> AbstractAsyncContextManager[Any]:
    return connect_client(ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1"))


async def check(emulator: Emulator, rows: Sequence[Mapping[str, str]]) -> PreflightReport:
    async with client_for(emulator) as client:
        return await preflight(client, used(rows))


async def test_an_unknown_flow_makes_every_row_invalid_and_fails_the_job(emulator: Emulator) -> None:
    rows = flow_rows(300, flow=UNKNOWN)

    report = await check(emulator, rows)

    problems = {report.problems_for(row) for row in rows}
    assert len(problems) == 1
    (problem,) = problems.pop()
    assert str(problem) == (
        f"ContactFlowId: contact flow {UNKNOWN!r} does not exist in instance {DEFAULT_INSTANCE_ID!r} "
        "(DescribeContactFlow answered ResourceNotFoundException)"
    )
    error = report.job_error(used(rows))
    assert error is not None
    assert UNKNOWN in str(error)
    assert "\n" not in str(error)
    snapshot = emulator.snapshot()
    assert snapshot.counts == {}  # not one StartTaskContact
    assert snapshot.lookup_counts["DescribeContactFlow"] == {"not_found": 1}
    assert snapshot.lookup_counts["DescribeInstance"] == {"found": 1}


async def test_an_unknown_instance_is_checked_once_and_named(emulator: Emulator) -> None:
    rows = flow_rows(5, instance=UNKNOWN)

    report = await check(emulator, rows)

    (problem,) = report.problems_for(rows[0])
    assert str(problem) == (
        f"InstanceId: instance {UNKNOWN!r} does not exist in region 'us-east-1' "
        "(DescribeInstance answered ResourceNotFoundException)"
    )
    assert emulator.snapshot().lookup_counts["DescribeInstance"] == {"not_found": 1}
    assert emulator.snapshot().lookup_counts["DescribeContactFlow"] == {}


async def test_an_inactive_template_and_a_template_without_a_flow_are_refused(emulator: Emulator) -> None:
    rows = [
        {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "TaskTemplateId": template}
        for template in (DEFAULT_TEMPLATE_INACTIVE_ID, DEFAULT_TEMPLATE_NO_FLOW_ID, DEFAULT_TEMPLATE_ID)
    ]

    report = await check(emulator, rows)

    inactive, flowless, fine = (report.problems_for(row) for row in rows)
    assert [p.code for p in inactive] == ["TaskTemplateId"]
    assert "is INACTIVE: only an ACTIVE template can create a task" in inactive[0].message
    assert [p.code for p in flowless] == ["TaskTemplateId"]
    assert "has no contact flow, and the row names none" in flowless[0].message
    assert fine == ()
    assert report.job_error(used(rows)) is None  # one row can still be created


async def test_known_ids_pass(emulator: Emulator) -> None:
    rows: list[Mapping[str, str]] = [
        *flow_rows(2),
        {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "QuickConnectId": DEFAULT_QUICK_CONNECT_ID},
        {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "TaskTemplateId": DEFAULT_TEMPLATE_ID},
    ]

    report = await check(emulator, rows)

    assert report.refused == ()
    assert report.warnings == []
    assert report.calls == 4
    assert {op: sum(counts.values()) for op, counts in emulator.snapshot().lookup_counts.items()} == {
        "DescribeInstance": 1,
        "DescribeContactFlow": 1,
        "GetTaskTemplate": 1,
        "DescribeQuickConnect": 1,
    }


async def test_a_caller_denied_the_describe_calls_is_warned_and_nothing_is_refused(
    make_emulator: MakeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = await make_emulator(denied_access_keys=("testing",))  # the test environment's key
    rows = flow_rows(3, flow=UNKNOWN)

    report = await check(emulator, rows)

    assert report.refused == ()
    assert report.problems_for(rows[0]) == ()
    assert report.warnings == [
        "cannot check instances: the caller lacks permission connect:DescribeInstance "
        "(AccessDeniedException); rows are sent without that check",
        "cannot check contact flows: the caller lacks permission connect:DescribeContactFlow "
        "(AccessDeniedException); rows are sent without that check",
    ]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"preflight: {warning}" for warning in report.warnings
    ]


async def test_missing_credentials_are_one_clear_line(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    with pytest.raises(ServiceAccessError) as info:
        await check(emulator, flow_rows(3))

    message = str(info.value)
    assert message.startswith("AWS credentials are missing or incomplete (Unable to locate credentials)")
    assert "AWS_ACCESS_KEY_ID" in message
    assert "refused" not in message
    assert "\n" not in message
    assert emulator.snapshot().lookup_counts["DescribeInstance"] == {}  # nothing reached it


async def test_an_unreachable_endpoint_is_named(emulator: Emulator) -> None:
    endpoint = emulator.endpoint_url
    await emulator.stop()

    async with connect_client(ClientSettings(endpoint_url=endpoint, region="us-east-1")) as client:
        with pytest.raises(EndpointUnreachableError, match=f"cannot reach {endpoint}: no call was answered"):
            await preflight(client, used(flow_rows(1)), backoff=0.001, backoff_max=0.001)


async def test_describe_calls_leave_the_start_task_contact_quota_alone(make_emulator: MakeEmulator) -> None:
    emulator = await make_emulator(rate=1, burst=1)
    rows: list[Mapping[str, str]] = [*flow_rows(1), *flow_rows(1, flow=UNKNOWN)]
    rows += [{"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "TaskTemplateId": DEFAULT_TEMPLATE_ID}]

    async with client_for(emulator) as client:
        await preflight(client, used(rows))
        # StartTaskContact's bucket (burst 1) is still full.
        await client.start_task_contact(**flow_rows(1)[0])

    snapshot = emulator.snapshot()
    assert snapshot.counts == {"created": 1}
    assert sum(sum(counts.values()) for counts in snapshot.lookup_counts.values()) == 4
