"""The breakers in the sender over HTTP: an unknown flow costs at most N calls, an unreachable endpoint
stops the job naming it, and without breakers every row is still sent."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import pytest

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, Emulator
from bulkload.errors import EndpointUnreachableError
from bulkload.pool import PoolSettings, RowSender
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.records import RowOutcome, Status, TaskRequest
from tests.integration.helpers import FAST_POOL, no_sleep

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def requests(count: int, flow: str) -> list[TaskRequest]:
    return [
        TaskRequest(
            row=n,
            line=n + 1,
            key=str(n),
            params={"InstanceId": DEFAULT_INSTANCE_ID, "Name": f"Task {n}", "ContactFlowId": flow},
            client_token=f"token-{n:05d}",
            request_hash="h",
        )
        for n in range(1, count + 1)
    ]


async def send_all(sender: RowSender, rows: list[TaskRequest], workers: int = 50) -> list[RowOutcome | None]:
    """Send every row with a few workers, as the job does."""
    queue = list(reversed(rows))
    outcomes: dict[int, RowOutcome | None] = {}

    async def work() -> None:
        while queue:
            request = queue.pop()
            outcomes[request.row] = await sender.send(request)

    # Every worker ends before this returns or raises: none is left calling a closed client.
    for result in await asyncio.gather(*(work() for _ in range(workers)), return_exceptions=True):
        if isinstance(result, BaseException):
            raise result
    return [outcomes[r.row] for r in rows]


async def test_an_unknown_flow_costs_at_most_twenty_calls(emulator: Emulator) -> None:
    pool = replace(FAST_POOL, rate=1000, burst=100)
    async with connect_client(
        ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1")
    ) as client:
        sender = RowSender(
            client, pool, job_id="job", sleep=no_sleep, breaker=RoutingBreaker.from_settings(pool)
        )
        outcomes = await send_all(sender, requests(300, UNKNOWN))

    sent = emulator.snapshot().counts
    assert sent == {"not_found": 20}
    assert all(o is not None and o.status is Status.REJECTED for o in outcomes)
    not_sent = [o for o in outcomes if o is not None and o.attempts == 0]
    assert len(not_sent) == 280
    assert {o.error_code for o in not_sent} == {"ResourceNotFoundException"}
    assert {o.error_message for o in not_sent} == {
        "not sent: the service refused the 20 rows before it with the same error (ResourceNotFoundException: "
        f"Contact flow {UNKNOWN} not found in instance {DEFAULT_INSTANCE_ID})"
    }


async def test_without_a_breaker_every_row_is_sent(emulator: Emulator) -> None:
    async with connect_client(
        ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1")
    ) as client:
        sender = RowSender(client, FAST_POOL, job_id="job", sleep=no_sleep)
        outcomes = await send_all(sender, requests(30, UNKNOWN))

    assert emulator.snapshot().counts == {"not_found": 30}
    assert all(o is not None and o.attempts == 1 for o in outcomes)


async def test_good_rows_go_at_full_speed_past_the_breaker(emulator: Emulator) -> None:
    async with connect_client(
        ClientSettings(endpoint_url=emulator.endpoint_url, region="us-east-1")
    ) as client:
        sender = RowSender(client, FAST_POOL, job_id="job", sleep=no_sleep, breaker=RoutingBreaker(20))
        outcomes = await send_all(sender, requests(100, DEFAULT_FLOW_ID))

    assert all(o is not None and o.status is Status.CREATED for o in outcomes)
    assert len(emulator.snapshot().tasks) == 100


async def test_an_unreachable_endpoint_stops_the_job_naming_it(emulator: Emulator) -> None:
    endpoint = emulator.endpoint_url
    await emulator.stop()
    pool = PoolSettings(rate=1000, burst=10, max_attempts=1000, backoff_initial=0.01, backoff_max=0.02)
    started = time.monotonic()

    async with connect_client(ClientSettings(endpoint_url=endpoint, region="us-east-1")) as client:
        unreachable = UnreachableBreaker(0.5)
        sender = RowSender(client, pool, job_id="job", breaker=RoutingBreaker(20), unreachable=unreachable)
        with pytest.raises(EndpointUnreachableError) as info:
            await send_all(sender, requests(10, DEFAULT_FLOW_ID), workers=10)

    assert time.monotonic() - started < 10
    assert str(info.value).startswith(
        f"cannot reach {endpoint}: no call was answered in 0.5 s (ConnectionError"
    )
    outcome: Any = info.value.outcome
    assert (outcome.status, outcome.error_code) == (Status.FAILED, "ConnectionError")
    assert outcome.client_token.startswith("token-")
    assert sender.stopping
