"""StopContact over HTTP with the real aioboto3 client: ending tasks, stopping twice, unknown contacts,
the active-task quota, its own token bucket, injected faults and what the inspection routes show."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, ENDED_BY_AGENT, ENDED_BY_API, Emulator

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]

UNKNOWN = "00000000-0000-4000-8000-00000000dead"
OTHER_INSTANCE = "a1b2c3d4-0000-4000-8000-0000000000ff"
TASK = {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "Call back", "ContactFlowId": DEFAULT_FLOW_ID}


async def create(client: Any, **changes: Any) -> str:
    return str((await client.start_task_contact(**{**TASK, **changes}))["ContactId"])


async def stop(client: Any, contact_id: str, instance_id: str = DEFAULT_INSTANCE_ID) -> dict[str, Any]:
    return dict(await client.stop_contact(ContactId=contact_id, InstanceId=instance_id))


async def refusal(call: Awaitable[Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        await call
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


async def test_stopping_an_active_task_ends_it_by_the_api(emulator: Emulator, connect_client: Any) -> None:
    contact_id = await create(connect_client)
    other = await create(connect_client)

    response = await stop(connect_client, contact_id)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    snapshot = emulator.snapshot()
    assert snapshot.active_contact_ids == {other}
    assert snapshot.ended[contact_id].disconnect_reason == ENDED_BY_API
    assert snapshot.ended[contact_id].ended_at >= snapshot.tasks[0].created_at
    assert snapshot.stopped_contact_ids == {contact_id}
    assert snapshot.stop_calls == {contact_id: 1}
    assert snapshot.stop_counts == {"stopped": 1}
    assert snapshot.counts == {"created": 2}  # StartTaskContact's counts are its own


async def test_stopping_a_scheduled_task_ends_it(emulator: Emulator, connect_client: Any) -> None:
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    contact_id = await create(connect_client, ScheduledTime=tomorrow)

    await stop(connect_client, contact_id)

    assert emulator.snapshot().stopped_contact_ids == {contact_id}
    assert emulator.snapshot().active_tasks == 0


async def test_stopping_twice_says_the_contact_is_not_active(emulator: Emulator, connect_client: Any) -> None:
    contact_id = await create(connect_client)
    await stop(connect_client, contact_id)

    code, status, message = await refusal(stop(connect_client, contact_id))

    assert (code, status) == ("InvalidRequestException", 400)
    assert message == f"Contact {contact_id} is not active: it has already ended"
    snapshot = emulator.snapshot()
    assert snapshot.stop_calls == {contact_id: 2}
    assert snapshot.stop_counts == {"stopped": 1, "invalid_request": 1}
    assert snapshot.ended[contact_id].disconnect_reason == ENDED_BY_API


async def test_a_task_an_agent_ended_is_not_active_either(emulator: Emulator, connect_client: Any) -> None:
    contact_id = await create(connect_client)
    emulator.state.end_tasks()

    code, _, _ = await refusal(stop(connect_client, contact_id))

    assert code == "InvalidRequestException"
    assert emulator.snapshot().ended[contact_id].disconnect_reason == ENDED_BY_AGENT
    assert emulator.snapshot().stopped_contact_ids == frozenset()


async def test_an_unknown_contact_is_resource_not_found(emulator: Emulator, connect_client: Any) -> None:
    await create(connect_client)

    code, status, message = await refusal(stop(connect_client, UNKNOWN))

    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Contact {UNKNOWN} not found in instance {DEFAULT_INSTANCE_ID}"
    snapshot = emulator.snapshot()
    assert (snapshot.stop_calls, snapshot.stop_counts, snapshot.active_tasks) == ({}, {"not_found": 1}, 1)


async def test_a_contact_of_another_instance_is_not_found_there(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(instance_ids=(DEFAULT_INSTANCE_ID, OTHER_INSTANCE))
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = await create(client)

    code, _, message = await refusal(stop(client, contact_id, OTHER_INSTANCE))
    assert code == "ResourceNotFoundException"
    assert contact_id in message
    code, _, message = await refusal(stop(client, contact_id, UNKNOWN))
    assert (code, message) == ("ResourceNotFoundException", f"Instance {UNKNOWN} not found")
    assert emulator.snapshot().active_tasks == 1


async def test_an_invalid_request_is_invalid_parameter(
    emulator: Emulator, make_connect_client: MakeClient
) -> None:
    raw = await make_connect_client(emulator.endpoint_url, parameter_validation=False)

    code, status, message = await refusal(
        raw.stop_contact(ContactId="x" * 257, InstanceId=DEFAULT_INSTANCE_ID)
    )
    assert (code, status) == ("InvalidParameterException", 400)
    assert "ContactId" in message
    code, _, message = await refusal(raw.stop_contact(ContactId="x"))
    assert (code, message) == ("InvalidParameterException", "InstanceId is required")


async def test_stopping_frees_the_active_task_quota(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(active_task_quota=1)
    client = await make_connect_client(emulator.endpoint_url)
    first = await create(client)
    code, _, _ = await refusal(create(client))
    assert code == "ServiceQuotaExceededException"

    await stop(client, first)
    second = await create(client)

    assert emulator.snapshot().active_contact_ids == {second}


async def test_stop_contact_has_its_own_bucket(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(rate=0.001, burst=3, stop_rate=0.001, stop_burst=1)
    client = await make_connect_client(emulator.endpoint_url)
    contact_ids = [await create(client) for _ in range(3)]  # StartTaskContact's bucket is now empty

    await stop(client, contact_ids[0])  # ...and StopContact's is not
    code, status, _ = await refusal(stop(client, contact_ids[1]))

    assert (code, status) == ("ThrottlingException", 429)
    snapshot = emulator.snapshot()
    assert snapshot.stop_counts == {"stopped": 1, "throttled": 1}
    assert snapshot.stop_calls == {contact_ids[0]: 1}  # a throttled call never reached the task
    assert snapshot.counts == {"created": 3}
    emulator.state.configure(stop_burst=2, stop_rate=1000)
    await asyncio.sleep(0.01)  # the bucket, empty, refills at the new rate: a token within a millisecond
    await stop(client, contact_ids[1])
    assert emulator.snapshot().config.stop_rate == 1000


async def test_a_denied_caller_cannot_stop(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator(denied_access_keys=("testing",))  # the test environment's key
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = emulator.state.create_task(TASK).contact_id

    code, status, message = await refusal(stop(client, contact_id))

    assert (code, status) == ("AccessDeniedException", 403)
    assert "connect:StopContact" in message
    assert emulator.snapshot().active_tasks == 1


async def test_an_injected_500_stops_nothing(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator()
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = await create(client)
    emulator.state.configure(fail_rate=1.0)

    code, status, _ = await refusal(stop(client, contact_id))

    assert (code, status) == ("InternalServiceException", 500)
    assert emulator.snapshot().active_tasks == 1
    assert emulator.snapshot().stop_counts == {"internal_error": 1}


async def test_a_reset_before_stops_nothing(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator()
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = await create(client)
    emulator.state.configure(reset_rate=1.0)

    with pytest.raises(ConnectionClosedError):
        await stop(client, contact_id)

    snapshot = emulator.snapshot()
    assert (snapshot.active_tasks, snapshot.stop_calls) == (1, {})
    assert snapshot.stop_counts == {"reset_before": 1}  # POST is not re-sent by aiohttp


async def test_a_dropped_answer_still_stopped_the_task_and_a_retry_says_so(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator()
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = await create(client)
    emulator.state.configure(drop_after_rate=1.0)

    with pytest.raises(ConnectionClosedError):
        await stop(client, contact_id)
    emulator.state.configure(drop_after_rate=0.0)
    code, _, _ = await refusal(stop(client, contact_id))

    assert code == "InvalidRequestException"
    snapshot = emulator.snapshot()
    assert snapshot.stopped_contact_ids == {contact_id}
    assert snapshot.stop_calls == {contact_id: 2}
    assert snapshot.stop_counts == {"dropped_after": 1, "invalid_request": 1}


async def test_injected_latency_delays_a_stop(
    make_emulator: MakeEmulator, make_connect_client: MakeClient
) -> None:
    emulator = await make_emulator()
    client = await make_connect_client(emulator.endpoint_url)
    contact_id = await create(client)
    emulator.state.configure(latency_ms=150)

    started = time.perf_counter()
    await stop(client, contact_id)

    assert time.perf_counter() - started >= 0.15


async def test_inspection_routes_show_stops(emulator: Emulator, connect_client: Any) -> None:
    stopped, untouched = await create(connect_client), await create(connect_client)
    await stop(connect_client, stopped)
    await refusal(stop(connect_client, stopped))
    base = f"{emulator.endpoint_url}/_emulator"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/tasks") as response:
            tasks = {task["ContactId"]: task for task in await response.json()}
        async with session.get(f"{base}/stats") as response:
            stats = await response.json()
        async with session.post(f"{base}/reset") as response:
            after_reset = await response.json()

    assert tasks[stopped]["Active"] is False
    assert (tasks[stopped]["DisconnectReason"], tasks[stopped]["StopCalls"]) == ("API", 2)
    assert tasks[stopped]["EndedAt"] >= tasks[stopped]["CreatedAt"]
    assert (tasks[untouched]["Active"], tasks[untouched]["EndedAt"], tasks[untouched]["StopCalls"]) == (
        True,
        None,
        0,
    )
    assert (stats["stop_counts"]["stopped"], stats["stop_counts"]["invalid_request"]) == (1, 1)
    assert (stats["stop_requests"], stats["requests"], stats["active_tasks"]) == (2, 2, 1)
    assert (stats["config"]["stop_rate"], stats["config"]["stop_burst"]) == (2.0, 5)
    assert after_reset["stop_requests"] == 0
    assert (emulator.snapshot().stop_calls, emulator.snapshot().ended) == ({}, {})
