"""DescribeInstance, DescribeContactFlow, GetTaskTemplate and DescribeQuickConnect over HTTP, with the
real aioboto3 client: known ids, unknown ids, template states, access denied, their own quotas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from botocore.exceptions import ClientError

from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_INACTIVE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
    Emulator,
)

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]

UNKNOWN = "00000000-0000-4000-8000-00000000dead"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:123456789012:instance/{DEFAULT_INSTANCE_ID}"
# client method -> (the member naming the resource, its known id)
LOOKUPS = {
    "describe_contact_flow": ("ContactFlowId", DEFAULT_FLOW_ID),
    "get_task_template": ("TaskTemplateId", DEFAULT_TEMPLATE_ID),
    "describe_quick_connect": ("QuickConnectId", DEFAULT_QUICK_CONNECT_ID),
}


async def refusal(call: Awaitable[Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        await call
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def every_lookup(client: Any, instance_id: str = DEFAULT_INSTANCE_ID) -> list[Awaitable[Any]]:
    """One call of each of the four operations, for the emulator's known ids."""
    return [
        client.describe_instance(InstanceId=instance_id),
        *(
            getattr(client, method)(InstanceId=instance_id, **{member: known})
            for method, (member, known) in LOOKUPS.items()
        ),
    ]


async def test_describe_instance(connect_client: Any) -> None:
    instance = (await connect_client.describe_instance(InstanceId=DEFAULT_INSTANCE_ID))["Instance"]

    assert (instance["Id"], instance["Arn"], instance["InstanceStatus"]) == (
        DEFAULT_INSTANCE_ID,
        INSTANCE_ARN,
        "ACTIVE",
    )
    assert instance["IdentityManagementType"] == "CONNECT_MANAGED"
    assert instance["CreatedTime"].year == 2023  # a timestamp botocore parsed


async def test_describe_contact_flow(connect_client: Any) -> None:
    response = await connect_client.describe_contact_flow(
        InstanceId=DEFAULT_INSTANCE_ID, ContactFlowId=DEFAULT_FLOW_ID
    )
    flow = response["ContactFlow"]

    assert flow["Id"] == DEFAULT_FLOW_ID
    assert flow["Arn"] == f"{INSTANCE_ARN}/contact-flow/{DEFAULT_FLOW_ID}"
    assert flow["Name"]
    assert (flow["Type"], flow["State"], flow["Status"]) == ("CONTACT_FLOW", "ACTIVE", "PUBLISHED")


async def test_get_task_template_with_a_flow(connect_client: Any) -> None:
    template = await connect_client.get_task_template(
        InstanceId=DEFAULT_INSTANCE_ID, TaskTemplateId=DEFAULT_TEMPLATE_ID
    )

    assert (template["Id"], template["InstanceId"]) == (DEFAULT_TEMPLATE_ID, DEFAULT_INSTANCE_ID)
    assert template["Arn"] == f"{INSTANCE_ARN}/task-template/{DEFAULT_TEMPLATE_ID}"
    assert template["Name"]
    assert (template["Status"], template["ContactFlowId"]) == ("ACTIVE", DEFAULT_FLOW_ID)


async def test_a_template_without_a_flow_names_none(connect_client: Any) -> None:
    template = await connect_client.get_task_template(
        InstanceId=DEFAULT_INSTANCE_ID, TaskTemplateId=DEFAULT_TEMPLATE_NO_FLOW_ID
    )

    assert template["Status"] == "ACTIVE"
    assert "ContactFlowId" not in template


async def test_an_inactive_template_says_so_and_cannot_create_a_task(connect_client: Any) -> None:
    template = await connect_client.get_task_template(
        InstanceId=DEFAULT_INSTANCE_ID, TaskTemplateId=DEFAULT_TEMPLATE_INACTIVE_ID
    )
    assert (template["Status"], template["ContactFlowId"]) == ("INACTIVE", DEFAULT_FLOW_ID)

    code, status, message = await refusal(
        connect_client.start_task_contact(
            InstanceId=DEFAULT_INSTANCE_ID, Name="n", TaskTemplateId=DEFAULT_TEMPLATE_INACTIVE_ID
        )
    )
    assert (code, status) == ("InvalidRequestException", 400)
    assert DEFAULT_TEMPLATE_INACTIVE_ID in message


async def test_template_states_come_from_the_config(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(
        template_ids=("t-active",), templates_without_flow=("t-bare",), inactive_templates=("t-off", "t-bare")
    )
    client = await make_connect_client(emulator.endpoint_url)

    async def get(template_id: str) -> dict[str, Any]:
        return dict(
            await client.get_task_template(InstanceId=DEFAULT_INSTANCE_ID, TaskTemplateId=template_id)
        )

    active, bare, off = await get("t-active"), await get("t-bare"), await get("t-off")
    assert (active["Status"], active.get("ContactFlowId")) == ("ACTIVE", DEFAULT_FLOW_ID)
    assert (bare["Status"], bare.get("ContactFlowId")) == ("INACTIVE", None)
    assert (off["Status"], off.get("ContactFlowId")) == ("INACTIVE", DEFAULT_FLOW_ID)
    code, status, _ = await refusal(
        client.get_task_template(InstanceId=DEFAULT_INSTANCE_ID, TaskTemplateId=DEFAULT_TEMPLATE_ID)
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


async def test_describe_quick_connect(connect_client: Any) -> None:
    response = await connect_client.describe_quick_connect(
        InstanceId=DEFAULT_INSTANCE_ID, QuickConnectId=DEFAULT_QUICK_CONNECT_ID
    )
    quick_connect = response["QuickConnect"]

    assert quick_connect["QuickConnectId"] == DEFAULT_QUICK_CONNECT_ID
    assert (
        quick_connect["QuickConnectARN"] == f"{INSTANCE_ARN}/transfer-destination/{DEFAULT_QUICK_CONNECT_ID}"
    )
    assert quick_connect["Name"]
    assert quick_connect["QuickConnectConfig"]["QuickConnectType"] == "QUEUE"
    assert quick_connect["QuickConnectConfig"]["QueueConfig"]["ContactFlowId"] == DEFAULT_FLOW_ID


async def test_the_arn_names_the_region_the_caller_signed_for(
    emulator: Emulator, make_connect_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    client = await make_connect_client(emulator.endpoint_url)

    instance = (await client.describe_instance(InstanceId=DEFAULT_INSTANCE_ID))["Instance"]

    assert instance["Arn"].startswith("arn:aws:connect:eu-west-2:")


@pytest.mark.parametrize("method", list(LOOKUPS))
async def test_an_unknown_id_is_resource_not_found(connect_client: Any, method: str) -> None:
    member, _known = LOOKUPS[method]

    code, status, message = await refusal(
        getattr(connect_client, method)(InstanceId=DEFAULT_INSTANCE_ID, **{member: UNKNOWN})
    )

    assert (code, status) == ("ResourceNotFoundException", 404)
    assert UNKNOWN in message


async def test_an_unknown_instance_is_resource_not_found_for_every_lookup(connect_client: Any) -> None:
    for call in every_lookup(connect_client, instance_id=UNKNOWN):
        assert await refusal(call) == ("ResourceNotFoundException", 404, f"Instance {UNKNOWN} not found")


async def test_a_denied_caller_is_refused_naming_the_operation(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(denied_access_keys=("testing",))  # the test environment's key
    client = await make_connect_client(emulator.endpoint_url)

    refusals = [await refusal(call) for call in every_lookup(client)]

    assert [(code, status) for code, status, _ in refusals] == [("AccessDeniedException", 403)] * 4
    assert [message.split(" on ")[0].rsplit(":", 1)[1] for _, _, message in refusals] == [
        "DescribeInstance",
        "DescribeContactFlow",
        "GetTaskTemplate",
        "DescribeQuickConnect",
    ]
    assert emulator.snapshot().lookup_counts["GetTaskTemplate"] == {"unauthorized": 1}


async def test_lookups_leave_the_start_task_contact_quota_alone(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(rate=1, burst=1)
    client = await make_connect_client(emulator.endpoint_url)

    for _ in range(5):
        for call in every_lookup(client):
            await call
    await client.start_task_contact(InstanceId=DEFAULT_INSTANCE_ID, Name="n", ContactFlowId=DEFAULT_FLOW_ID)

    snapshot = emulator.snapshot()
    assert snapshot.counts == {"created": 1}
    assert snapshot.lookup_counts["DescribeInstance"] == {"found": 5}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.endpoint_url}/_emulator/stats") as response,
    ):
        stats = await response.json()
    assert stats["requests"] == 1
    assert stats["lookups"]["DescribeQuickConnect"] == {
        "found": 5,
        "not_found": 0,
        "throttled": 0,
        "unauthorized": 0,
    }


async def test_each_lookup_has_its_own_bucket(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(lookup_rate=0.001, lookup_burst=2)
    client = await make_connect_client(emulator.endpoint_url)

    await client.describe_instance(InstanceId=DEFAULT_INSTANCE_ID)
    await client.describe_instance(InstanceId=DEFAULT_INSTANCE_ID)
    code, status, _ = await refusal(client.describe_instance(InstanceId=DEFAULT_INSTANCE_ID))
    assert (code, status) == ("ThrottlingException", 429)

    # Another operation's bucket is still full, and so is StartTaskContact's.
    await client.describe_contact_flow(InstanceId=DEFAULT_INSTANCE_ID, ContactFlowId=DEFAULT_FLOW_ID)
    await client.start_task_contact(InstanceId=DEFAULT_INSTANCE_ID, Name="n", ContactFlowId=DEFAULT_FLOW_ID)
    assert emulator.snapshot().lookup_counts["DescribeInstance"] == {"found": 2, "throttled": 1}


async def test_lookups_are_spared_injected_faults(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(fail_rate=0.5, reset_rate=0.5, latency_ms=5_000)
    client = await make_connect_client(emulator.endpoint_url, read_timeout=2)

    for call in every_lookup(client):
        await call
