"""Preflight against a scripted client: credentials first, one call per id, its own small concurrency,
throttles retried, a missing permission warned about once and skipped, an unreachable endpoint named."""

from __future__ import annotations

import asyncio
from typing import Any

import botocore.exceptions
import pytest

from bulkload.connect.preflight import Preflight, UsedIds, preflight
from bulkload.connect.targets import Target, instance_target
from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, DEFAULT_TEMPLATE_INACTIVE_ID, Emulator
from bulkload.errors import EndpointUnreachableError, ServiceAccessError
from tests.unit.connect.fakes import (
    DENIED,
    ENDPOINT,
    NOT_FOUND,
    THROTTLED,
    ScriptedConnect,
    Sleeps,
    client_error,
    flow_row,
    used,
)


async def test_credentials_are_checked_first_then_one_call_per_distinct_id() -> None:
    client = ScriptedConnect({("GetTaskTemplate", "t-1"): [{"Status": "ACTIVE", "ContactFlowId": "f"}]})
    ids = used(
        flow_row("f-1"),
        flow_row("f-1"),
        {"InstanceId": "i-1", "TaskTemplateId": "t-1"},
        {"InstanceId": "i-2", "QuickConnectId": "q-1"},
    )

    report = await preflight(client, ids, sleep=Sleeps())

    assert client.calls[0] == ("DescribeInstance", "i-1")
    assert sorted(client.calls) == [
        ("DescribeContactFlow", "f-1"),
        ("DescribeInstance", "i-1"),
        ("DescribeInstance", "i-2"),
        ("DescribeQuickConnect", "q-1"),
        ("GetTaskTemplate", "t-1"),
    ]
    assert report.calls == 5
    assert report.refused == ()
    assert report.warnings == []
    assert all(finding.checked for finding in report.findings.values())


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (botocore.exceptions.NoCredentialsError(), "AWS credentials are missing or incomplete"),
        (
            client_error(
                "UnrecognizedClientException", 403, "The security token included in the request is invalid."
            ),
            "the service does not recognise the AWS credentials (UnrecognizedClientException",
        ),
        (
            client_error("InvalidSignatureException", 403, "bad signature"),
            "the service refused the request's signature or credentials (InvalidSignatureException",
        ),
        (client_error("ExpiredTokenException", 400, "expired"), "the AWS credentials have expired"),
    ],
)
async def test_credentials_the_service_cannot_use_stop_the_job_in_one_line(
    error: Exception, expected: str
) -> None:
    client = ScriptedConnect({("DescribeInstance", "i-1"): [error]})

    with pytest.raises(ServiceAccessError) as info:
        await preflight(client, used(flow_row("f-1"), flow_row("f-2")), sleep=Sleeps())

    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)
    assert "refused the job's credentials" not in str(info.value)
    assert client.calls == [("DescribeInstance", "i-1")]  # nothing after the credentials check


async def test_missing_credentials_say_how_to_provide_them() -> None:
    client = ScriptedConnect({("DescribeInstance", "i-1"): [botocore.exceptions.NoCredentialsError()]})

    with pytest.raises(ServiceAccessError) as info:
        await preflight(client, used(flow_row("f-1")))

    message = str(info.value)
    assert "Unable to locate credentials" in message
    assert "AWS_ACCESS_KEY_ID" in message
    assert "--profile" in message


async def test_throttles_are_retried_with_backoff() -> None:
    client = ScriptedConnect({("DescribeContactFlow", "f-1"): [THROTTLED, THROTTLED]})
    sleeps = Sleeps()

    report = await preflight(client, used(flow_row("f-1")), sleep=sleeps)

    assert client.calls.count(("DescribeContactFlow", "f-1")) == 3
    assert len(sleeps.delays) == 2
    assert report.findings[Target("ContactFlowId", "f-1", "i-1")].checked
    assert report.warnings == []


async def test_an_id_still_throttled_after_every_attempt_is_sent_unchecked_with_a_warning() -> None:
    client = ScriptedConnect({("DescribeContactFlow", "f-1"): [THROTTLED] * 10})

    report = await preflight(client, used(flow_row("f-1")), sleep=Sleeps(), attempts=3)

    assert client.calls.count(("DescribeContactFlow", "f-1")) == 3
    assert not report.findings[Target("ContactFlowId", "f-1", "i-1")].checked
    assert report.warnings == [
        "could not check contact flow 'f-1' in instance 'i-1' (DescribeContactFlow answered "
        "ThrottlingException: Rate exceeded); rows using it are sent unchecked"
    ]


async def test_ids_that_could_not_be_checked_for_the_same_reason_share_one_warning() -> None:
    script = {
        ("DescribeContactFlow", f"f-{n}"): [client_error("InvalidParameterException", 400, "bad")]
        for n in range(3)
    }
    client = ScriptedConnect(script)

    report = await preflight(client, used(*(flow_row(f"f-{n}") for n in range(3))), sleep=Sleeps())

    assert report.warnings == [
        "could not check 3 contact flows (DescribeContactFlow answered InvalidParameterException: bad); "
        "rows using them are sent unchecked"
    ]
    assert report.refused == ()


async def test_a_few_calls_are_in_flight_at_most() -> None:
    client = ScriptedConnect(delay=0.005)

    await preflight(client, used(*(flow_row(f"f-{n}") for n in range(20))), sleep=Sleeps())

    assert len(client.calls) == 21
    assert client.most_in_flight == 4


async def test_a_missing_permission_is_one_warning_and_that_check_is_skipped() -> None:
    script = {("DescribeContactFlow", f"f-{n}"): [DENIED] for n in range(5)}
    client = ScriptedConnect(script)

    report = await preflight(
        client, used(*(flow_row(f"f-{n}") for n in range(5))), sleep=Sleeps(), concurrency=1
    )

    assert report.warnings == [
        "cannot check contact flows: the caller lacks permission connect:DescribeContactFlow "
        "(AccessDeniedException); rows are sent without that check"
    ]
    assert [call for call in client.calls if call[0] == "DescribeContactFlow"] == [
        ("DescribeContactFlow", "f-0")
    ]
    assert report.refused == ()
    assert not any(f.checked for t, f in report.findings.items() if not t.is_instance)


async def test_a_denied_credentials_check_is_a_warning_not_an_error() -> None:
    client = ScriptedConnect({("DescribeInstance", "i-1"): [DENIED]})

    report = await preflight(client, used(flow_row("f-1")), sleep=Sleeps())

    assert report.warnings == [
        "cannot check instances: the caller lacks permission connect:DescribeInstance "
        "(AccessDeniedException); rows are sent without that check"
    ]
    assert ("DescribeContactFlow", "f-1") in client.calls


async def test_an_endpoint_that_never_answers_the_first_call_stops_the_job_naming_it() -> None:
    unreachable = botocore.exceptions.EndpointConnectionError(endpoint_url=ENDPOINT)
    client = ScriptedConnect({("DescribeInstance", "i-1"): [unreachable] * 4})

    with pytest.raises(EndpointUnreachableError) as info:
        await preflight(client, used(flow_row("f-1")), sleep=Sleeps())

    assert str(info.value).startswith(f"cannot reach {ENDPOINT}: no call was answered (ConnectionError")
    assert len(client.calls) == 4


async def test_a_call_that_hangs_times_out_and_is_retried() -> None:
    client = ScriptedConnect({("DescribeContactFlow", "f-1"): []}, delay=0)
    hanging = asyncio.Event()
    original = client.describe_contact_flow
    attempts = 0

    async def first_hangs(**kwargs: str) -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            await hanging.wait()
        return await original(**kwargs)

    client.describe_contact_flow = first_hangs  # type: ignore[method-assign]

    report = await preflight(client, used(flow_row("f-1")), sleep=Sleeps(), call_timeout=0.05)

    assert attempts == 2
    assert report.findings[Target("ContactFlowId", "f-1", "i-1")].checked


async def test_an_endpoint_whose_every_attempt_hangs_is_given_up_after_the_given_time() -> None:
    client = ScriptedConnect(delay=0)

    async def hangs(**_kwargs: str) -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}

    client.describe_instance = hangs  # type: ignore[method-assign]

    with pytest.raises(EndpointUnreachableError, match="no call was answered \\(Timeout"):
        await preflight(
            client, used(flow_row("f-1")), sleep=Sleeps(), attempts=10, call_timeout=0.1, give_up_after=0.15
        )


async def test_the_routing_ids_of_an_unknown_instance_are_not_described() -> None:
    client = ScriptedConnect({("DescribeInstance", "i-9"): [NOT_FOUND]})

    report = await preflight(client, used(flow_row("f-1", instance="i-9")), sleep=Sleeps())

    assert client.calls == [("DescribeInstance", "i-9")]
    (finding,) = report.refused
    assert finding.target == instance_target("i-9")
    assert [p.message for p in report.problems_for(flow_row("f-1", instance="i-9"))] == [
        "instance 'i-9' does not exist in region 'eu-west-2' (DescribeInstance answered ResourceNotFoundException)"
    ]


async def test_template_answers_say_inactive_and_flowless() -> None:
    client = ScriptedConnect(
        {
            ("GetTaskTemplate", "t-off"): [{"Status": "INACTIVE", "ContactFlowId": "f"}],
            ("GetTaskTemplate", "t-bare"): [{"Status": "ACTIVE"}],
            ("GetTaskTemplate", "t-ok"): [{"Status": "ACTIVE", "ContactFlowId": "f"}],
        }
    )
    rows = [{"InstanceId": "i-1", "TaskTemplateId": t} for t in ("t-off", "t-bare", "t-ok")]

    report = await preflight(client, used(*rows), sleep=Sleeps())

    off, bare, ok = (report.findings[Target("TaskTemplateId", t, "i-1")] for t in ("t-off", "t-bare", "t-ok"))
    assert (off.inactive, off.flowless, bare.inactive, bare.flowless, ok.refuses) == (
        True,
        False,
        False,
        True,
        False,
    )
    assert [len(report.problems_for(row)) for row in rows] == [1, 1, 0]


async def test_ids_met_later_are_checked_once_and_credentials_only_at_first() -> None:
    client = ScriptedConnect()
    checker = Preflight(client, sleep=Sleeps())

    await checker.check(used(flow_row("f-1")))
    await checker.check(used(flow_row("f-1"), flow_row("f-2")))

    assert client.calls == [
        ("DescribeInstance", "i-1"),
        ("DescribeContactFlow", "f-1"),
        ("DescribeContactFlow", "f-2"),
    ]


async def test_a_file_with_too_many_ids_is_checked_in_part_and_says_so() -> None:
    client = ScriptedConnect()
    ids = UsedIds(limit=3)
    for n in range(5):
        ids.add(flow_row(f"f-{n}"))

    report = await preflight(client, ids, sleep=Sleeps())

    assert len(client.calls) == 3
    assert report.truncated
    assert report.warnings == [
        "the file uses more than 3 distinct instance and routing ids; only the first 3 were checked, and 3 "
        "rows using others are sent unchecked"
    ]


async def test_no_rows_no_calls() -> None:
    client = ScriptedConnect()

    report = await preflight(client, UsedIds())

    assert (client.calls, report.findings) == ([], {})


async def test_over_the_wire_against_the_emulator(emulator: Emulator, connect_client: Any) -> None:
    ids = used(
        flow_row(DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID),
        flow_row("abc", DEFAULT_INSTANCE_ID),
        {"InstanceId": DEFAULT_INSTANCE_ID, "TaskTemplateId": DEFAULT_TEMPLATE_INACTIVE_ID},
    )

    report = await preflight(connect_client, ids)

    assert {(f.target.value, f.unknown, f.inactive) for f in report.refused} == {
        ("abc", True, False),
        (DEFAULT_TEMPLATE_INACTIVE_ID, False, True),
    }
    assert emulator.snapshot().counts == {}
