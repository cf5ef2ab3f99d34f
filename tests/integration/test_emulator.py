"""The emulator driven over HTTP by the real aioboto3 client: every rule, fault and inspection route."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from bulkload.connect import model as service_model
from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
    Emulator,
)

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]

DAY = 24 * 3600
OTHER_ID = "00000000-0000-4000-8000-00000000beef"


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def params(**changes: Any) -> dict[str, Any]:
    """A valid request, with `changes` applied (a value of None removes the member)."""
    base: dict[str, Any] = {
        "InstanceId": DEFAULT_INSTANCE_ID,
        "Name": "Call back",
        "ContactFlowId": DEFAULT_FLOW_ID,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def in_seconds(seconds: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)


async def refused(client: Any, **request: Any) -> ClientError:
    with pytest.raises(ClientError) as info:
        await client.start_task_contact(**request)
    return info.value


def code_status_message(error: ClientError) -> tuple[str, int, str]:
    return (
        error.response["Error"]["Code"],
        error.response["ResponseMetadata"]["HTTPStatusCode"],
        error.response["Error"]["Message"],
    )


@pytest.fixture
async def raw_client(emulator: Emulator, make_connect_client: MakeClient) -> Any:
    """A client that sends whatever it is given: botocore's own parameter validation is off."""
    return await make_connect_client(emulator.endpoint_url, parameter_validation=False)


async def test_creates_a_task_and_remembers_the_request(emulator: Emulator, connect_client: Any) -> None:
    response = await connect_client.start_task_contact(
        **params(Attributes={"order": "00123"}, References={"doc": {"Type": "URL", "Value": "https://x"}}),
        ClientToken="token-1",
    )

    contact_id = response["ContactId"]
    assert uuid.UUID(contact_id).version == 4
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RequestId"]
    snapshot = emulator.snapshot()
    [task] = snapshot.tasks
    assert task.contact_id == contact_id
    assert task.client_token == "token-1"
    assert task.instance_id == DEFAULT_INSTANCE_ID
    assert task.params == {
        "InstanceId": DEFAULT_INSTANCE_ID,
        "Name": "Call back",
        "ContactFlowId": DEFAULT_FLOW_ID,
        "Attributes": {"order": "00123"},
        "References": {"doc": {"Type": "URL", "Value": "https://x"}},
        "ClientToken": "token-1",
    }
    assert snapshot.counts == {"created": 1}
    assert snapshot.active_tasks == 1


async def test_scheduled_time_arrives_as_epoch_seconds(emulator: Emulator, connect_client: Any) -> None:
    when = in_seconds(3600).replace(microsecond=0)
    await connect_client.start_task_contact(**params(ScheduledTime=when))

    assert emulator.snapshot().tasks[0].params["ScheduledTime"] == when.timestamp()


@pytest.mark.parametrize(
    "request_params",
    [
        pytest.param(params(ContactFlowId=None, TaskTemplateId=DEFAULT_TEMPLATE_ID), id="template-with-flow"),
        pytest.param(params(ContactFlowId=None, QuickConnectId=DEFAULT_QUICK_CONNECT_ID), id="quick-connect"),
        pytest.param(params(Name=""), id="empty-name"),
        pytest.param(params(Description="d" * 4096), id="description-at-limit"),
        pytest.param(
            params(Attributes={"k": "x" * 20_000, "l": "y" * 12_766}), id="attributes-at-byte-limit"
        ),
        pytest.param(params(Attributes={"a-B_9": "v"}), id="attribute-key-charset"),
        pytest.param(
            params(
                References={
                    t.lower(): {"Type": t, "Value": "1"} for t in service_model.REFERENCE_TYPES_AT_CREATION
                }
            ),
            id="every-reference-type",
        ),
        pytest.param(
            params(References={"r": {"Type": "STRING", "Value": "v" * 4095}}), id="references-at-limit"
        ),
        pytest.param(params(ScheduledTime=in_seconds(5 * DAY)), id="scheduled-in-5-days"),
        pytest.param(params(PreviousContactId=OTHER_ID), id="previous-contact"),
        pytest.param(params(RelatedContactId=OTHER_ID), id="related-contact"),
        pytest.param(params(ClientToken="t" * 500), id="token-at-limit"),
        pytest.param(
            params(
                SegmentAttributes={
                    "connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}},
                    "connect:CreatedByUser": {
                        "ValueString": "arn:aws:connect:us-east-1:1:instance/x/agent/y"
                    },
                }
            ),
            id="segment-attributes",
        ),
    ],
)
async def test_accepts_valid_requests(raw_client: Any, request_params: dict[str, Any]) -> None:
    response = await raw_client.start_task_contact(**request_params)

    assert response["ContactId"]


@pytest.mark.parametrize(
    ("request_params", "code", "status", "message"),
    [
        pytest.param(params(Name=None), "InvalidParameterException", 400, "Name is required", id="no-name"),
        pytest.param(
            params(InstanceId=""), "InvalidParameterException", 400, "InstanceId", id="empty-instance"
        ),
        pytest.param(
            params(InstanceId="i" * 101), "InvalidParameterException", 400, "at most 100", id="long-instance"
        ),
        pytest.param(
            params(Name="n" * 1025), "InvalidParameterException", 400, "at most 1024", id="long-name"
        ),
        pytest.param(
            params(Description="d" * 4097),
            "InvalidParameterException",
            400,
            "at most 4096",
            id="long-description",
        ),
        pytest.param(
            params(Name=5), "InvalidParameterException", 400, "Invalid type", id="name-not-a-string"
        ),
        pytest.param(
            params(Attributes={"bad key": "v"}),
            "InvalidParameterException",
            400,
            "'bad key'",
            id="attribute-key",
        ),
        pytest.param(
            params(Attributes={"k": "x" * 20_000, "l": "y" * 12_767}),
            "InvalidParameterException",
            400,
            "at most 32768 UTF-8 bytes",
            id="attributes-too-big",
        ),
        pytest.param(
            params(Attributes={"k": "é" * 16_384}),  # 16,385 characters but 32,769 bytes
            "InvalidParameterException",
            400,
            "got 32769",
            id="attributes-bytes-not-characters",
        ),
        pytest.param(
            params(References={"a": {"Type": "ATTACHMENT", "Value": "s3://x"}}),
            "InvalidParameterException",
            400,
            "ATTACHMENT",
            id="attachment-reference",
        ),
        pytest.param(
            params(References={"a": {"Value": "x"}}),
            "InvalidParameterException",
            400,
            "Type",
            id="reference-no-type",
        ),
        pytest.param(
            params(References={"a": {"Type": "URL"}}),
            "InvalidParameterException",
            400,
            "no Value",
            id="reference-no-value",
        ),
        pytest.param(
            params(References={"due": {"Type": "DATE", "Value": "next Tuesday"}}),
            "InvalidParameterException",
            400,
            "epoch timestamp",
            id="date-reference-not-epoch",
        ),
        pytest.param(
            params(References={"r": {"Type": "STRING", "Value": "v" * 4096}}),
            "InvalidParameterException",
            400,
            "at most 4096 UTF-8 bytes",
            id="references-too-big",
        ),
        pytest.param(
            params(ScheduledTime=in_seconds(-3600)),
            "InvalidParameterException",
            400,
            "ScheduledTime cannot be in the past",
            id="scheduled-in-past",
        ),
        pytest.param(
            params(ScheduledTime=in_seconds(6 * DAY + 3600)),
            "InvalidParameterException",
            400,
            "ScheduledTime must be within 6 days from now",
            id="scheduled-too-far",
        ),
        pytest.param(
            params(ClientToken="t" * 501),
            "InvalidParameterException",
            400,
            "ClientToken must be at most 500 characters",
            id="long-token",
        ),
        pytest.param(
            params(ContactFlowId=None), "InvalidRequestException", 400, "must be provided", id="no-routing"
        ),
        pytest.param(
            params(QuickConnectId=DEFAULT_QUICK_CONNECT_ID),
            "InvalidRequestException",
            400,
            "Only one of",
            id="two-routing-members",
        ),
        pytest.param(
            params(ContactFlowId=None, TaskTemplateId=DEFAULT_TEMPLATE_NO_FLOW_ID),
            "InvalidRequestException",
            400,
            "has no contact flow",
            id="template-without-flow",
        ),
        pytest.param(
            params(PreviousContactId=OTHER_ID, RelatedContactId=OTHER_ID),
            "InvalidRequestException",
            400,
            "cannot be provided together",
            id="previous-and-related",
        ),
        pytest.param(
            params(InstanceId=OTHER_ID), "ResourceNotFoundException", 404, "Instance", id="unknown-instance"
        ),
        pytest.param(
            params(ContactFlowId=OTHER_ID), "ResourceNotFoundException", 404, "flow", id="unknown-flow"
        ),
        pytest.param(
            params(ContactFlowId=None, TaskTemplateId=OTHER_ID),
            "ResourceNotFoundException",
            404,
            "template",
            id="unknown-template",
        ),
        pytest.param(
            params(ContactFlowId=None, QuickConnectId=OTHER_ID),
            "ResourceNotFoundException",
            404,
            "Quick connect",
            id="unknown-quick-connect",
        ),
    ],
)
async def test_refuses_what_the_service_refuses(
    emulator: Emulator, raw_client: Any, request_params: dict[str, Any], code: str, status: int, message: str
) -> None:
    error = await refused(raw_client, **request_params)

    got_code, got_status, got_message = code_status_message(error)
    assert (got_code, got_status) == (code, status)
    assert message in got_message
    assert emulator.snapshot().tasks == ()


async def test_a_known_client_token_returns_the_same_contact(emulator: Emulator, connect_client: Any) -> None:
    first = await connect_client.start_task_contact(**params(), ClientToken="row-1")
    again = await connect_client.start_task_contact(**params(), ClientToken="row-1")
    # Other parameters with the same token: still the first task, nothing new.
    other = await connect_client.start_task_contact(**params(Name="changed"), ClientToken="row-1")

    assert first["ContactId"] == again["ContactId"] == other["ContactId"]
    snapshot = emulator.snapshot()
    assert len(snapshot.tasks) == 1
    assert snapshot.tasks[0].params["Name"] == "Call back"
    assert snapshot.counts == {"created": 1, "idempotent_replay": 2}


async def test_concurrent_calls_with_one_token_create_one_task(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    # The latency holds every call in flight at once, so they all look up the token before any creates.
    emulator = await make_emulator(latency_ms=20)
    client = await make_connect_client(emulator.endpoint_url)

    responses = await asyncio.gather(
        *(client.start_task_contact(**params(), ClientToken="row-1") for _ in range(8))
    )

    assert len({response["ContactId"] for response in responses}) == 1
    assert emulator.snapshot().counts == {"created": 1, "idempotent_replay": 7}


async def test_without_a_token_botocore_makes_one_per_call(emulator: Emulator, connect_client: Any) -> None:
    await connect_client.start_task_contact(**params())
    await connect_client.start_task_contact(**params())

    tokens = {task.client_token for task in emulator.snapshot().tasks}
    assert len(tokens) == 2
    assert None not in tokens


async def test_throttles_beyond_the_burst_and_refills_at_the_rate(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    clock = FakeClock()
    emulator = await make_emulator(rate=2, burst=3, clock=clock)
    client = await make_connect_client(emulator.endpoint_url)

    for _ in range(3):
        await client.start_task_contact(**params())
    error = await refused(client, **params())
    assert code_status_message(error)[:2] == ("ThrottlingException", 429)
    # A throttled call takes no token: after half a second (one token at 2/s) exactly one call passes.
    clock.now += 0.5
    await client.start_task_contact(**params())
    error = await refused(client, **params())
    assert code_status_message(error)[:2] == ("ThrottlingException", 429)

    snapshot = emulator.snapshot()
    assert len(snapshot.tasks) == 4
    assert snapshot.counts == {"created": 4, "throttled": 2}


async def test_rate_can_change_while_running(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    clock = FakeClock()
    emulator = await make_emulator(rate=1, burst=1, clock=clock)
    client = await make_connect_client(emulator.endpoint_url)
    await client.start_task_contact(**params())
    await refused(client, **params())

    emulator.state.set_rate(10, 5)
    clock.now += 1.0  # 10 tokens at the new rate, capped at the new burst of 5

    for _ in range(5):
        await client.start_task_contact(**params())
    assert code_status_message(await refused(client, **params()))[0] == "ThrottlingException"


async def test_injects_latency(make_emulator: MakeEmulator, make_connect_client: MakeClient) -> None:
    emulator = await make_emulator(latency_ms=150)
    client = await make_connect_client(emulator.endpoint_url)
    await client.start_task_contact(**params())  # warm the connection

    started = time.perf_counter()
    await client.start_task_contact(**params())

    assert time.perf_counter() - started >= 0.15


async def test_injected_500_creates_nothing(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(fail_rate=1.0)
    client = await make_connect_client(emulator.endpoint_url)

    error = await refused(client, **params())

    assert code_status_message(error)[:2] == ("InternalServiceException", 500)
    assert emulator.snapshot().tasks == ()
    assert emulator.snapshot().counts == {"internal_error": 1}


async def test_reset_before_shows_a_connection_error_and_creates_nothing(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(reset_rate=1.0)
    client = await make_connect_client(emulator.endpoint_url)

    # What the client sees when the connection drops before any answer: botocore's
    # ConnectionClosedError (an HTTPClientError), which its retry handler counts as retryable.
    with pytest.raises(ConnectionClosedError):
        await client.start_task_contact(**params(), ClientToken="row-1")

    assert emulator.snapshot().tasks == ()
    # Two requests for one botocore attempt: aiohttp itself re-sends an idempotent method (PUT) once when
    # the server disconnects (RFC 9112 section 9.3.1), with the same body and so the same ClientToken.
    assert emulator.snapshot().counts == {"reset_before": 2}


async def test_drop_after_creates_the_task_and_a_retry_with_the_token_finds_it(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(drop_after_rate=1.0)
    client = await make_connect_client(emulator.endpoint_url)

    with pytest.raises(ConnectionClosedError):
        await client.start_task_contact(**params(), ClientToken="row-1")
    [task] = emulator.snapshot().tasks

    emulator.state.configure(drop_after_rate=0.0)
    response = await client.start_task_contact(**params(), ClientToken="row-1")

    assert response["ContactId"] == task.contact_id
    snapshot = emulator.snapshot()
    assert len(snapshot.tasks) == 1
    # aiohttp's silent re-send of the dropped PUT (see above) was itself a replay, dropped too.
    assert snapshot.counts == {"dropped_after": 2, "idempotent_replay": 1}


async def test_seeded_faults_are_reproducible(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    outcomes: list[dict[str, int]] = []
    for _ in range(2):
        emulator = await make_emulator(fail_rate=0.5, seed=7)
        client = await make_connect_client(emulator.endpoint_url)
        for _ in range(20):
            with contextlib.suppress(ClientError):
                await client.start_task_contact(**params())
        outcomes.append(dict(emulator.snapshot().counts))

    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["created"] + outcomes[0]["internal_error"] == 20
    assert 0 < outcomes[0]["internal_error"] < 20


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        pytest.param(None, "MissingAuthenticationTokenException", id="unsigned"),
        pytest.param("Bearer abc", "InvalidSignatureException", id="not-sigv4"),
        pytest.param(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "InvalidSignatureException",
            id="wrong-service",
        ),
    ],
)
async def test_refuses_requests_not_signed_for_connect(
    emulator: Emulator, authorization: str | None, code: str
) -> None:
    headers = {"Content-Type": "application/json", "X-Amz-Date": "20240101T000000Z"}
    if authorization is not None:
        headers["Authorization"] = authorization
    async with (
        aiohttp.ClientSession() as session,
        session.put(f"{emulator.endpoint_url}/contact/task", json=params(), headers=headers) as response,
    ):
        body = await response.json()

    assert response.status == 403
    assert response.headers["x-amzn-ErrorType"] == code
    assert body["Message"]
    assert emulator.snapshot().counts == {"unauthorized": 1}
    assert emulator.snapshot().tasks == ()


async def test_previous_contact_chain_is_full_after_12(emulator: Emulator, connect_client: Any) -> None:
    chain = params(PreviousContactId=OTHER_ID)
    ids = [
        (await connect_client.start_task_contact(**chain, ClientToken=f"t{n}"))["ContactId"]
        for n in range(12)
    ]

    error = await refused(connect_client, **chain, ClientToken="t12")

    assert code_status_message(error) == (
        "ServiceQuotaExceededException",
        402,
        service_model.CHAIN_FULL_MESSAGE,
    )
    # The chain is full for new tasks, but a retry of one already in it still gets its ContactId.
    retry = await connect_client.start_task_contact(**chain, ClientToken="t11")
    assert retry["ContactId"] == ids[11]
    # Other chains are not affected.
    await connect_client.start_task_contact(**params(PreviousContactId="another"))
    assert emulator.snapshot().chain_counts == {OTHER_ID: 12, "another": 1}


async def test_active_task_quota_clears_as_tasks_end(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(active_task_quota=2)
    client = await make_connect_client(emulator.endpoint_url)
    await client.start_task_contact(**params())
    await client.start_task_contact(**params())

    error = await refused(client, **params())
    assert code_status_message(error) == (
        "ServiceQuotaExceededException",
        402,
        service_model.ACTIVE_TASKS_MESSAGE,
    )

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emulator.endpoint_url}/_emulator/end-tasks", json={"count": 1}) as response,
    ):
        assert await response.json() == {"ended": 1, "active_tasks": 1}
    await client.start_task_contact(**params())
    assert emulator.snapshot().active_tasks == 2
    assert len(emulator.snapshot().tasks) == 3


async def test_inspection_routes(emulator: Emulator, connect_client: Any) -> None:
    created = await connect_client.start_task_contact(**params(), ClientToken="row-1")
    base = f"{emulator.endpoint_url}/_emulator"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/tasks") as response:
            tasks = await response.json()
        async with session.get(f"{base}/stats") as response:
            stats = await response.json()
        async with session.post(f"{base}/config", json={"rate": 3, "burst": 4, "latency_ms": 1}) as response:
            config = await response.json()
        async with session.post(f"{base}/config", json={"fail_rate": 2}) as response:
            bad_status, bad_body = response.status, await response.json()
        async with session.post(f"{base}/config", json={"port": 1}) as response:
            fixed_status = response.status
        async with session.post(f"{base}/end-tasks") as response:
            ended = await response.json()
        async with session.post(f"{base}/reset") as response:
            after_reset = await response.json()

    assert tasks == [
        {
            "ContactId": created["ContactId"],
            "ClientToken": "row-1",
            "InstanceId": DEFAULT_INSTANCE_ID,
            "CreatedAt": tasks[0]["CreatedAt"],
            "Active": True,
            "Params": {**params(), "ClientToken": "row-1"},
            "EndedAt": None,
            "DisconnectReason": None,
            "StopCalls": 0,
        }
    ]
    assert stats["counts"]["created"] == 1
    assert stats["counts"]["throttled"] == 0
    assert (stats["requests"], stats["tasks"], stats["active_tasks"]) == (1, 1, 1)
    assert (stats["rate"], stats["burst"]) == (1000, 1000)
    assert (config["rate"], config["burst"], config["latency_ms"]) == (3, 4, 1)
    assert (emulator.config.rate, emulator.config.burst) == (3, 4)
    assert bad_status == 400
    assert "fail_rate" in bad_body["Message"]
    assert fixed_status == 400
    assert ended == {"ended": 1, "active_tasks": 0}
    assert (after_reset["tasks"], after_reset["requests"]) == (0, 0)
    assert emulator.snapshot().tasks == ()
